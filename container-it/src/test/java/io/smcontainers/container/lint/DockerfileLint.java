package io.smcontainers.container.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read instruction by instruction (continuations joined, comments dropped) and checked against Docker's
 * good practice (hadolint's DL3003, DL3007, DL3008-9, DL3015, DL3025, DL3042 in spirit) and SageMaker's rules for an
 * image built on the smcontainers distribution: {@code train}/{@code serve} on PATH, archives warmed after the last
 * change to {@code lib/}, entry point in exec form (SageMaker appends {@code train} or {@code serve}), port 8080.
 * hadolint itself is not packaged in Debian; no Docker engine is needed.
 */
public final class DockerfileLint {
    /** One instruction: its line, keyword (upper case) and arguments as written. */
    public record Instruction(int line, String keyword, String arguments) {}

    private static final Set<String> KEYWORDS = Set.of(
            "FROM",
            "RUN",
            "CMD",
            "LABEL",
            "EXPOSE",
            "ENV",
            "ADD",
            "COPY",
            "ENTRYPOINT",
            "VOLUME",
            "USER",
            "WORKDIR",
            "ARG",
            "ONBUILD",
            "STOPSIGNAL",
            "HEALTHCHECK",
            "SHELL");
    private static final Pattern DIST = Pattern.compile("^(?:--\\S+\\s+)*launcher-dist\\.tar\\.gz\\s+(\\S+?)/?$");
    private static final Pattern SECRET = Pattern.compile("(?i)(SECRET|PASSWORD|AWS_ACCESS_KEY_ID|SESSION_TOKEN)");

    private DockerfileLint() {}

    public static List<Instruction> parse(String dockerfile) {
        List<Instruction> instructions = new ArrayList<>();
        String[] lines = dockerfile.split("\n", -1);
        StringBuilder current = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (line.strip().startsWith("#") || (current == null && line.isBlank())) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            String text = continues ? line.substring(0, line.length() - 1) : line;
            if (current == null) {
                current = new StringBuilder(text.strip());
                start = i + 1;
            } else {
                current.append(' ').append(text.strip());
            }
            if (!continues) {
                String whole = current.toString();
                int space = whole.indexOf(' ');
                String keyword = (space < 0 ? whole : whole.substring(0, space)).toUpperCase(Locale.ROOT);
                instructions.add(new Instruction(
                        start,
                        keyword,
                        space < 0 ? "" : whole.substring(space + 1).strip()));
                current = null;
            }
        }
        return instructions;
    }

    /** Every violation as {@code line N: rule: what to do}; empty when the Dockerfile passes. */
    public static List<String> check(String dockerfile) {
        List<Instruction> instructions = parse(dockerfile);
        List<String> problems = new ArrayList<>();
        Optional<String> distDir = Optional.empty();
        int distLine = -1;
        int lastLibChange = -1;
        int warmUp = -1;
        boolean pathHasBin = false;
        boolean sawFrom = false;
        for (Instruction in : instructions) {
            String args = in.arguments();
            String at = "line " + in.line() + ": ";
            if (!KEYWORDS.contains(in.keyword())) {
                problems.add(at + "unknown instruction " + in.keyword());
                continue;
            }
            if (!sawFrom && !in.keyword().equals("FROM") && !in.keyword().equals("ARG")) {
                problems.add(at + "the first instruction must be FROM (or ARG)");
            }
            switch (in.keyword()) {
                case "FROM" -> {
                    sawFrom = true;
                    String image = args.replaceFirst("^--platform=\\S+\\s+", "").split("\\s+")[0];
                    String name = image.contains("/") ? image.substring(image.lastIndexOf('/')) : image;
                    if (!image.contains("@sha256:") && (!name.contains(":") || name.endsWith(":latest"))) {
                        problems.add(at + "pin the base image to a tag other than latest (or a digest): " + image);
                    }
                }
                case "RUN" -> run(at, args, problems);
                case "ADD", "COPY" -> {
                    Matcher dist = DIST.matcher(args);
                    if (in.keyword().equals("ADD") && dist.matches()) {
                        distDir = Optional.of(dist.group(1));
                        distLine = in.line();
                        lastLibChange = in.line();
                    } else if (in.keyword().equals("ADD") && args.matches(".*\\bhttps?://.*")) {
                        problems.add(at + "ADD of a URL: download with curl in a RUN and check the checksum");
                    }
                    String[] words = args.split("\\s+");
                    String destination = words[words.length - 1];
                    if (distDir.isPresent() && destination.startsWith(distDir.get() + "/lib")) {
                        lastLibChange = in.line();
                    }
                }
                case "ENV" -> {
                    if (distDir.isPresent() && args.matches("PATH[= ].*") && args.contains(distDir.get() + "/bin")) {
                        pathHasBin = true;
                    }
                    if (SECRET.matcher(args).find()) {
                        problems.add(at
                                + "no credentials in ENV: they stay in the image; SageMaker passes them at run time");
                    }
                }
                case "ENTRYPOINT", "CMD" -> {
                    if (!args.startsWith("[")) {
                        problems.add(
                                at + in.keyword() + " in shell form: use the exec form [\"...\"]; SageMaker runs the "
                                        + "image with the argument train or serve, which a shell form drops, and PID 1 must get SIGTERM");
                    }
                }
                case "EXPOSE" -> {
                    if (!args.matches("(.*\\s)?8080(/tcp)?(\\s.*)?")) {
                        problems.add(at + "SageMaker sends inference traffic to port 8080: EXPOSE 8080");
                    }
                }
                case "WORKDIR" -> {
                    if (!args.startsWith("/") && !args.startsWith("$")) {
                        problems.add(at + "WORKDIR must be absolute: " + args);
                    }
                }
                default -> {
                    // nothing to check
                }
            }
            if (in.keyword().equals("RUN") && args.matches("(.*\\s)?sagemaker-toolkit\\s+warm-up(\\s.*)?")) {
                warmUp = in.line();
            }
        }
        if (distDir.isEmpty()) {
            problems.add(
                    "ADD launcher-dist.tar.gz <dir>/ is missing: the image needs the distribution (bin/train, bin/serve)");
        } else {
            if (!pathHasBin) {
                problems.add("line " + distLine + ": put " + distDir.get() + "/bin on PATH (ENV PATH=" + distDir.get()
                        + "/bin:$PATH): SageMaker runs `train` and `serve` by name");
            }
            if (warmUp < 0) {
                problems.add("RUN sagemaker-toolkit warm-up is missing: without it every start pays for class loading");
            } else if (warmUp < lastLibChange) {
                problems.add("line " + warmUp + ": run sagemaker-toolkit warm-up after the last change to lib/ (line "
                        + lastLibChange + "): the archives record the class path");
            }
        }
        return problems;
    }

    private static void run(String at, String args, List<String> problems) {
        if (args.startsWith("[")) {
            return;
        }
        List<String> commands = List.of(args.split("&&|;|\\|\\|"));
        boolean update = commands.stream().anyMatch(c -> c.strip().startsWith("apt-get update"));
        for (String command : commands) {
            String c = command.strip();
            if (c.startsWith("apt-get install") || c.startsWith("apt install")) {
                if (!update) {
                    problems.add(at
                            + "apt-get update in the same RUN as apt-get install (a cached update layer goes stale)");
                }
                if (!c.matches(".*\\s(-y|--yes|-qq?y)\\b.*")) {
                    problems.add(at + "apt-get install -y: the build has no terminal to answer");
                }
                if (!c.contains("--no-install-recommends")) {
                    problems.add(at + "apt-get install --no-install-recommends: recommended packages bloat the image");
                }
                if (!args.contains("rm -rf /var/lib/apt/lists/*")) {
                    problems.add(at + "rm -rf /var/lib/apt/lists/* in the same RUN: the lists stay in the layer");
                }
            }
            if (c.matches("(python3? -m )?pip3? install.*") && !c.contains("--no-cache-dir")) {
                problems.add(at + "pip install --no-cache-dir: the cache stays in the layer");
            }
            if (c.startsWith("cd ")) {
                problems.add(at + "use WORKDIR instead of cd in RUN");
            }
            if (c.startsWith("sudo ")) {
                problems.add(at + "no sudo: RUN runs as the image's user already");
            }
        }
    }
}
