package io.smcontainers.launcher.distributed;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The SSH server of an MPI host, {@code /usr/sbin/sshd -D} in the foreground; {@link #close} stops it and waits. */
public final class Sshd implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sshd.class);
    public static final List<String> STANDARD = List.of("/usr/sbin/sshd", "-D");

    private final Process process;

    private Sshd(Process process) {
        this.process = requireNonNull(process, "process is null");
    }

    /** Starts {@code argv} (its first element an absolute path); a missing server is an error with the install steps. */
    public static Sshd start(List<String> argv) {
        log.info("Creating SSH daemon.");
        if (!Files.isExecutable(Paths.get(argv.get(0)))) {
            throw new LauncherException(Category.PLATFORM, 1, missing(argv.get(0)));
        }
        try {
            return new Sshd(new ProcessBuilder(argv).inheritIO().start());
        } catch (IOException e) {
            throw new LauncherException(Category.PLATFORM, 1, "Cannot start " + argv + ": " + e, e);
        }
    }

    static String missing(String path) {
        return path + " was not found: MPI training needs an SSH server on every host. In the image: install "
                + "openssh-server, mkdir -p /var/run/sshd, relax pam_loginuid (sed -i 's/session\\s*required\\s*pam_loginuid.so/"
                + "session optional pam_loginuid.so/' /etc/pam.d/sshd), create a passwordless root key pair and add it to "
                + "/root/.ssh/authorized_keys, and set StrictHostKeyChecking no in /etc/ssh/ssh_config";
    }

    /** SIGTERM, then SIGKILL after 2 s; returns when the server has exited (sessions it started are not waited for). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
