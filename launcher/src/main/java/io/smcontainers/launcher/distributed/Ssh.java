package io.smcontainers.launcher.distributed;

import io.smcontainers.launcher.process.StopSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code ssh} client calls between MPI hosts (training contract §9.4), each bounded and ended by a stop request. */
final class Ssh {
    private static final Logger log = LoggerFactory.getLogger(Ssh.class);
    private static final List<String> OPTIONS =
            List.of("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "ConnectTimeout=10");
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Ssh() {}

    /** Whether {@code ssh <host> true} exits 0 within 30 s. */
    static boolean canConnect(String host, StopSignal stop) {
        boolean ok = Waits.run(stop, command(host, List.of("true")), LIMIT, false, "testing SSH to " + host);
        log.info(ok ? "Can connect to host {}" : "Cannot connect to host {}", host);
        return ok;
    }

    /** Runs {@code command} on {@code host}, output to the log; returns whether it exited 0 within 60 s. */
    static boolean run(String host, List<String> command, StopSignal stop) {
        return Waits.run(
                stop, command(host, command), LIMIT.multipliedBy(2), true, "running " + command + " on " + host);
    }

    private static List<String> command(String host, List<String> command) {
        List<String> argv = new ArrayList<>(OPTIONS);
        argv.add(host);
        argv.addAll(command);
        return argv;
    }
}
