package io.smcontainers.container.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.container.lint.DockerfileLint.Instruction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example Dockerfiles under examples/containers/, linted (no Docker engine here; ContainerTrainIT/ServeIT run the contract). */
class DockerfileTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("smc.examples", "../examples/containers"))
            .toAbsolutePath();

    @Test
    void everyExampleImagePassesTheLint() throws IOException {
        List<Path> dockerfiles = dockerfiles();
        assertEquals(
                List.of("java-model-server", "pytorch", "script-mode"),
                dockerfiles.stream()
                        .map(d -> d.getParent().getFileName().toString())
                        .sorted()
                        .toList());
        for (Path dockerfile : dockerfiles) {
            assertEquals(List.of(), DockerfileLint.check(Files.readString(dockerfile)), dockerfile.toString());
            assertTrue(Files.isRegularFile(dockerfile.resolveSibling("README.md"))
                    || Files.isRegularFile(EXAMPLES.resolve("README.md")));
        }
    }

    @Test
    void eachImageFollowsTheRulesOfItsRole() throws IOException {
        // script mode: the program named by SAGEMAKER_PROGRAM, in /opt/ml/code
        List<Instruction> scriptMode =
                DockerfileLint.parse(Files.readString(EXAMPLES.resolve("script-mode/Dockerfile")));
        assertTrue(has(scriptMode, "ENV", "SAGEMAKER_PROGRAM=train.py"));
        assertTrue(has(scriptMode, "COPY", "train.py /opt/ml/code/train.py"));
        // serving images: port 8080 and the label that lets SageMaker pick another port through SAGEMAKER_BIND_TO_PORT
        for (String serving : List.of("java-model-server", "pytorch")) {
            List<Instruction> image = DockerfileLint.parse(
                    Files.readString(EXAMPLES.resolve(serving).resolve("Dockerfile")));
            assertTrue(has(image, "EXPOSE", "8080"), serving);
            assertTrue(has(image, "LABEL", "com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true"), serving);
        }
        List<Instruction> pytorch = DockerfileLint.parse(Files.readString(EXAMPLES.resolve("pytorch/Dockerfile")));
        assertTrue(pytorch.stream()
                .anyMatch(i -> i.keyword().equals("RUN") && i.arguments().contains(" python3-torch")));
    }

    @Test
    void theReadmeShowsTheMavenCommandsTheBuildContextNeeds() throws IOException {
        String readme = Files.readString(EXAMPLES.resolve("README.md"));
        assertTrue(readme.contains("dependency:copy -Dartifact=io.smcontainers:launcher:"), readme);
        assertTrue(readme.contains(":tar.gz:dist"), readme);
        assertTrue(readme.contains("-Dmdep.stripVersion=true"), "the Dockerfiles ADD launcher-dist.tar.gz");
        assertTrue(readme.contains("dependency:unpack -Dartifact=io.smcontainers:launcher:"), readme);
    }

    @Test
    void theLintCatchesWhatSageMakerOrDockerPracticeRejects() {
        String bad = String.join(
                "\n",
                "FROM debian",
                "RUN apt-get install python3",
                "ADD launcher-dist.tar.gz /opt/smc/",
                "RUN sagemaker-toolkit warm-up",
                "COPY handler.jar /opt/smc/lib/",
                "RUN cd /opt && pip install numpy",
                "ENV AWS_SECRET_ACCESS_KEY=abc",
                "EXPOSE 80",
                "WORKDIR code",
                "ENTRYPOINT train",
                "");
        List<String> problems = DockerfileLint.check(bad);
        List<String> expected = List.of(
                "line 1: pin the base image",
                "line 2: apt-get update in the same RUN",
                "line 2: apt-get install -y",
                "line 2: apt-get install --no-install-recommends",
                "line 2: rm -rf /var/lib/apt/lists/*",
                "line 6: pip install --no-cache-dir",
                "line 6: use WORKDIR instead of cd",
                "line 7: no credentials in ENV",
                "line 8: SageMaker sends inference traffic to port 8080",
                "line 9: WORKDIR must be absolute",
                "line 10: ENTRYPOINT in shell form",
                "line 3: put /opt/smc/bin on PATH",
                "line 4: run sagemaker-toolkit warm-up after the last change to lib/ (line 5)");
        for (String problem : expected) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(problem)), problem + " not in " + problems);
        }
        assertEquals(expected.size(), problems.size(), problems.toString());
    }

    @Test
    void continuationsAndCommentsAreJoinedAndDropped() {
        List<Instruction> parsed =
                DockerfileLint.parse("# c\nFROM a:1\nRUN x \\\n    # inner\n    && y\n\nCMD [\"serve\"]\n");
        assertEquals(
                List.of(
                        new Instruction(2, "FROM", "a:1"),
                        new Instruction(3, "RUN", "x && y"),
                        new Instruction(7, "CMD", "[\"serve\"]")),
                parsed);
    }

    private static boolean has(List<Instruction> instructions, String keyword, String arguments) {
        return instructions.stream()
                .anyMatch(i -> i.keyword().equals(keyword) && i.arguments().contains(arguments));
    }

    private static List<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES, 2)) {
            return files.filter(p -> p.getFileName().toString().equals("Dockerfile"))
                    .sorted()
                    .toList();
        }
    }
}
