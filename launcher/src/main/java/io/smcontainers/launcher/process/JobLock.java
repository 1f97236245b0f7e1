package io.smcontainers.launcher.process;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a job folder for one {@code train} run, so that a second run on the same folder fails at once
 * instead of extracting the code twice or writing both {@code output/success} and {@code output/failure}. The lock is
 * the kernel's (fcntl) on {@code <base>/.smc-train.lock}, held until the JVM exits, so a killed run never leaves a
 * stale lock. A base dir where the file cannot be created (read-only) runs without the lock, with a warning.
 */
public final class JobLock {
    private static final Logger log = LoggerFactory.getLogger(JobLock.class);
    static final String FILE_NAME = ".smc-train.lock";
    /** errno EBUSY: the job folder is in use. */
    public static final int BUSY = 16;

    private final FileChannel channel;
    private final FileLock lock;

    private JobLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the job folder that {@code train} will use: {@code SAGEMAKER_BASE_DIR} when set, else {@code /opt/ml} when
     * it exists; nothing to lock for the local fallback, which is a new folder per run.
     *
     * @throws LauncherException exit code {@value #BUSY} when another run holds the lock
     */
    public static Optional<JobLock> acquire(Map<String, String> environment) {
        Path base;
        if (environment.containsKey("SAGEMAKER_BASE_DIR")) {
            base = Path.of(environment.get("SAGEMAKER_BASE_DIR"));
        } else if (Files.isDirectory(Path.of("/opt/ml"))) {
            base = Path.of("/opt/ml");
        } else {
            return Optional.empty();
        }
        return acquire(base);
    }

    static Optional<JobLock> acquire(Path base) {
        if (!Files.isDirectory(base)) {
            return Optional.empty(); // reported as a missing job folder by the run itself
        }
        Path file = base.resolve(FILE_NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            log.warn(
                    "Cannot create the lock file {} ({}): running without a lock on the job folder",
                    file,
                    e.toString());
            return Optional.empty();
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new LauncherException(
                    Category.USER,
                    BUSY,
                    "Another train is running on the job folder " + base
                            + " (it holds the lock " + file
                            + "): a job folder is used by one run at a time. Wait for it to end, "
                            + "or give this run its own folder (SAGEMAKER_BASE_DIR)");
        }
        return Optional.of(new JobLock(channel, lock));
    }

    /** Releases the lock (it is released when the JVM exits in any case). */
    public void release() {
        try {
            lock.release();
        } catch (IOException e) {
            log.debug("releasing the job lock: {}", e.toString());
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing held
        }
    }
}
