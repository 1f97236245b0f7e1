package io.smcontainers.launcher.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Two SageMaker-like hosts, {@code algo-1} (10.250.0.1) and {@code algo-2} (10.250.0.2), on this machine: each a
 * {@link NamespaceHost} in its own network namespace, joined by a veth pair named {@code eth0} on both sides, with the
 * addresses only inside the namespaces. Namespace and link names carry a random id, so concurrent runs do not meet.
 * As SageMaker's framework images, each host has {@code openssh-server} ready (not running), one root key pair shared by
 * the hosts (generated here) in {@code authorized_keys}, its own host key, and {@code StrictHostKeyChecking no}.
 * Needs root; {@link #start} fails saying so otherwise.
 */
public final class TwoHostCluster implements AutoCloseable {
    public static final String ETC_HOSTS = "127.0.0.1 localhost\n10.250.0.1 algo-1\n10.250.0.2 algo-2\n";
    private static final String SSH_SETUP = String.join(
            "\n",
            "set -eu",
            "install -d -m 700 /root/.ssh",
            "install -m 600 \"$1/id_ed25519\" /root/.ssh/id_ed25519",
            "install -m 644 \"$1/id_ed25519.pub\" /root/.ssh/id_ed25519.pub",
            "install -m 600 \"$1/id_ed25519.pub\" /root/.ssh/authorized_keys",
            "rm -f /etc/ssh/ssh_host_*",
            "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key",
            "mkdir -p /etc/ssh/sshd_config.d /run/sshd",
            "printf 'HostKey /etc/ssh/ssh_host_ed25519_key\\nPermitRootLogin prohibit-password\\nPasswordAuthentication no\\nUseDNS no\\n'"
                    + " > /etc/ssh/sshd_config.d/00-smc-test.conf",
            "printf 'Host *\\n  StrictHostKeyChecking no\\n  UserKnownHostsFile /dev/null\\n  LogLevel ERROR\\n' >> /etc/ssh/ssh_config",
            "sed -i 's/session\\s*required\\s*pam_loginuid.so/session optional pam_loginuid.so/' /etc/pam.d/sshd",
            "");
    private static final List<String> TOOLS = List.of(
            "/usr/bin/ip (iproute2)",
            "/usr/bin/unshare (util-linux)",
            "/usr/bin/nsenter (util-linux)",
            "/usr/sbin/sshd (openssh-server)",
            "/usr/bin/ssh-keygen (openssh-client)",
            "/usr/bin/mpirun (openmpi-bin)");

    private final Path dir;
    private final List<String> netns;
    private final String link;
    private final List<NamespaceHost> hosts = new ArrayList<>();

    private TwoHostCluster(Path dir, List<String> netns, String link) {
        this.dir = dir;
        this.netns = netns;
        this.link = link;
    }

    /** Fails the test, naming what is missing, unless this runs as root with the tools the hosts need. */
    public static void requireRootAndTools() throws IOException {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:"))
                .findFirst()
                .orElse("Uid: ?")
                .split("\\s+")[1];
        if (!uid.equals("0")) {
            throw new AssertionError(
                    "The multi-host tests need root (network, mount, UTS and PID namespaces, a veth pair, sshd); "
                            + "this runs as uid " + uid
                            + ". CI runs them as root; run `mvn verify` as root, or leave them out with "
                            + "-Dit.test='!MultiHostIT'");
        }
        for (String tool : TOOLS) {
            String path = tool.substring(0, tool.indexOf(' '));
            if (!Files.isExecutable(Path.of(path))) {
                throw new AssertionError("The multi-host tests need " + tool + "; .ci/run installs it");
            }
        }
    }

    /** Makes both hosts under {@code base}, SSH ready on both, sshd not running. */
    public static TwoHostCluster start(Path base) throws IOException, InterruptedException {
        requireRootAndTools();
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        Path dir = Files.createDirectories(base.resolve("multihost-" + id));
        TwoHostCluster cluster =
                new TwoHostCluster(dir, List.of("smc-" + id + "-1", "smc-" + id + "-2"), "smc" + id + "a");
        try {
            cluster.connect(cluster.link, "smc" + id + "b");
            run(List.of(
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "smc-multihost-test",
                    "-f",
                    dir.resolve("id_ed25519").toString()));
            for (int i = 0; i < 2; i++) {
                NamespaceHost host = NamespaceHost.start(
                        "algo-" + (i + 1), cluster.netns.get(i), dir.resolve("algo-" + (i + 1)), ETC_HOSTS);
                cluster.hosts.add(host);
                host.exec(SSH_SETUP, dir.toString());
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    private void connect(String end1, String end2) throws IOException, InterruptedException {
        for (String ns : netns) {
            run(List.of("ip", "netns", "add", ns));
        }
        run(List.of("ip", "link", "add", end1, "type", "veth", "peer", "name", end2));
        List<String> ends = List.of(end1, end2);
        for (int i = 0; i < 2; i++) {
            String ns = netns.get(i);
            run(List.of("ip", "link", "set", ends.get(i), "netns", ns));
            run(List.of("ip", "-n", ns, "link", "set", ends.get(i), "name", "eth0"));
            run(List.of("ip", "-n", ns, "addr", "add", "10.250.0." + (i + 1) + "/24", "dev", "eth0"));
            run(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
            run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
    }

    /** {@code algo-1} (index 0) or {@code algo-2} (index 1). */
    public NamespaceHost host(int index) {
        return hosts.get(index);
    }

    public Path dir() {
        return dir;
    }

    /** Ends both hosts (everything in them), removes the namespaces (and with them the veth pair) and the folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (NamespaceHost host : hosts) {
            host.close();
        }
        List<List<String>> removals = new ArrayList<>();
        netns.forEach(ns -> removals.add(List.of("ip", "netns", "del", ns)));
        removals.add(List.of("ip", "link", "del", link)); // when setup failed before moving it
        for (List<String> removal : removals) {
            new ProcessBuilder(removal)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
        if (!Boolean.getBoolean("smc.multihost.keep")) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed: " + out);
        }
    }
}
