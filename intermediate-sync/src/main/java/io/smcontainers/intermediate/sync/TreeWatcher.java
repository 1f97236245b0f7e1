package io.smcontainers.intermediate.sync;

import static io.smcontainers.intermediate.sync.Inotify.IN_CLOSE_WRITE;
import static io.smcontainers.intermediate.sync.Inotify.IN_CREATE;
import static io.smcontainers.intermediate.sync.Inotify.IN_DELETE_SELF;
import static io.smcontainers.intermediate.sync.Inotify.IN_IGNORED;
import static io.smcontainers.intermediate.sync.Inotify.IN_ISDIR;
import static io.smcontainers.intermediate.sync.Inotify.IN_MOVED_FROM;
import static io.smcontainers.intermediate.sync.Inotify.IN_MOVED_TO;
import static io.smcontainers.intermediate.sync.Inotify.IN_MOVE_SELF;
import static io.smcontainers.intermediate.sync.Inotify.IN_Q_OVERFLOW;

import com.sun.jna.LastErrorException;
import io.smcontainers.intermediate.sync.UploadScheduler.Trigger;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the intermediate folder tree and tells the {@link UploadScheduler} which files are complete. One thread.
 *
 * <p>With inotify: a closed-after-write or moved-in file is complete. A new or moved-in directory is watched
 * <em>first</em> and listed <em>second</em>, so nothing written in between is missed; what the listing finds is
 * uploaded unless a writer still holds it (its close comes later). A directory moved away loses its watches; a queue
 * overflow or a failed watch triggers a full rescan. When stopping, the remaining events are read and the whole tree
 * is reconciled against what was uploaded.
 *
 * <p>Without inotify (not Linux, JNA missing, no instances left): the tree is rescanned every second and a file is
 * uploaded once its size and mtime have not changed for one interval and no writer holds it.
 */
final class TreeWatcher {
    private static final Logger log = LoggerFactory.getLogger(TreeWatcher.class);

    private static final long POLL_INTERVAL_MILLIS = 1_000;
    private static final long DEGRADED_RESCAN_MILLIS = 2_000;

    private final Path root;
    private final UploadScheduler uploader;
    private final Inotify inotify;
    private final Map<Integer, String> wdToRel = new HashMap<>();
    private final Map<String, Integer> relToWd = new HashMap<>();
    private final Map<String, FileVersion> lastSeen = new HashMap<>();
    private final Set<String> seenThisScan = new HashSet<>();
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean finishRequested;
    private boolean rescan;
    private boolean degraded;
    private boolean warnedWatchLimit;

    TreeWatcher(Path root, UploadScheduler uploader, Inotify inotify) {
        this.root = root;
        this.uploader = uploader;
        this.inotify = inotify;
        this.thread = BackgroundPriority.daemon(this::run, "smc-sync-watch");
    }

    void start() {
        thread.start();
    }

    /** Asks the watcher to read what is left, reconcile the tree and end; waits up to the deadline. */
    boolean finish(long deadlineNanos) throws InterruptedException {
        finishRequested = true;
        return finished.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void run() {
        try {
            if (inotify != null) {
                walk("", true, Trigger.FOUND);
            } else {
                pollOnce();
            }
            long nextScan = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEGRADED_RESCAN_MILLIS);
            while (!finishRequested) {
                try {
                    if (inotify == null) {
                        Thread.sleep(POLL_INTERVAL_MILLIS);
                        pollOnce();
                        continue;
                    }
                    if (inotify.await(250)) {
                        readAll();
                    }
                    if (rescan || (degraded && System.nanoTime() >= nextScan)) {
                        rescan = false;
                        nextScan = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEGRADED_RESCAN_MILLIS);
                        walk("", true, Trigger.FOUND);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (RuntimeException e) {
                    log.warn("Intermediate sync watcher hit an error; rescanning {}", root, e);
                    rescan = true;
                }
            }
            if (inotify != null) {
                readAll();
            }
            walk("", false, Trigger.FOUND);
        } catch (RuntimeException | Error e) {
            log.error("Intermediate sync watcher failed; the final reconcile pass still runs", e);
            try {
                walk("", false, Trigger.FOUND);
            } catch (RuntimeException again) {
                log.error("Final reconcile of {} failed", root, again);
            }
        } finally {
            if (inotify != null) {
                inotify.close();
            }
            finished.countDown();
        }
    }

    private void readAll() {
        List<Inotify.Event> events;
        while (!(events = inotify.read()).isEmpty()) {
            for (Inotify.Event e : events) {
                handle(e);
            }
        }
    }

    void handle(Inotify.Event ev) {
        if (ev.is(IN_Q_OVERFLOW)) {
            log.warn(
                    "inotify queue overflowed for {}; rescanning (raise the sysctl fs.inotify.max_queued_events "
                            + "if this repeats)",
                    root);
            rescan = true;
            return;
        }
        String dirRel = wdToRel.get(ev.wd());
        if (dirRel == null) {
            return; // a watch we dropped: its directory moved away
        }
        if (ev.is(IN_IGNORED)) {
            wdToRel.remove(ev.wd());
            relToWd.remove(dirRel, ev.wd());
            if (dirRel.isEmpty()) {
                log.warn("The intermediate folder {} was removed; files written from now on are not synced", root);
            }
            return;
        }
        if (ev.name().isEmpty()) {
            if (dirRel.isEmpty() && ev.is(IN_MOVE_SELF | IN_DELETE_SELF)) {
                log.warn("The intermediate folder {} was moved or removed", root);
            }
            return;
        }
        if (dirRel.isEmpty() && ev.name().equals(SyncSettings.STAGING_DIR_NAME)) {
            return;
        }
        String rel = dirRel.isEmpty() ? ev.name() : dirRel + "/" + ev.name();
        if (ev.is(IN_ISDIR)) {
            if (ev.is(IN_MOVED_FROM)) {
                unwatchSubtree(rel);
            } else if (ev.is(IN_CREATE | IN_MOVED_TO)) {
                walk(rel, true, Trigger.FOUND);
            }
        } else if (ev.is(IN_CLOSE_WRITE | IN_MOVED_TO)) {
            uploader.submit(rel, Trigger.CLOSED);
        } else if (ev.is(IN_CREATE)) {
            createdEntry(rel);
        }
    }

    /** A plain create is followed by a close; only links (hard or symbolic) are complete when created. */
    private void createdEntry(String rel) {
        Path p = root.resolve(rel);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()
                    || (a.isRegularFile()
                            && ((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue()
                                    > 1)) {
                uploader.submit(rel, Trigger.FOUND);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // gone already, or no unix view: the close event or the final pass covers it
        }
    }

    private void unwatchSubtree(String rel) {
        String prefix = rel + "/";
        List<String> gone = new ArrayList<>();
        for (String watched : relToWd.keySet()) {
            if (watched.equals(rel) || watched.startsWith(prefix)) {
                gone.add(watched);
            }
        }
        for (String watched : gone) {
            Integer wd = relToWd.remove(watched);
            wdToRel.remove(wd);
            inotify.removeWatch(wd);
        }
    }

    /** Watches (when asked) then lists each directory under {@code startRel}, submitting the files it finds. */
    private void walk(String startRel, boolean watch, Trigger trigger) {
        Deque<String> dirs = new ArrayDeque<>();
        dirs.push(startRel);
        while (!dirs.isEmpty()) {
            String rel = dirs.pop();
            Path dir = rel.isEmpty() ? root : root.resolve(rel);
            if (watch && inotify != null && !watch(dir, rel)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    if (rel.isEmpty() && name.equals(SyncSettings.STAGING_DIR_NAME)) {
                        continue;
                    }
                    String childRel = rel.isEmpty() ? name : rel + "/" + name;
                    BasicFileAttributes a;
                    try {
                        a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException gone) {
                        continue;
                    }
                    if (a.isDirectory()) {
                        dirs.push(childRel);
                    } else if (a.isRegularFile() || a.isSymbolicLink()) {
                        found(childRel, child, trigger);
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException gone) {
                // removed or replaced while walking: its parent's events cover what replaces it
            } catch (IOException | RuntimeException e) {
                log.warn("Cannot list {}; it is retried at the next rescan", dir, e);
                degraded = true;
            }
        }
    }

    private void found(String rel, Path file, Trigger trigger) {
        if (inotify == null) {
            seenThisScan.add(rel);
            FileVersion now;
            try {
                now = FileVersion.read(file);
            } catch (IOException gone) {
                return;
            }
            FileVersion before = lastSeen.put(rel, now);
            if (finishRequested || now.sameAs(before)) {
                uploader.submit(rel, trigger);
            }
            return;
        }
        uploader.submit(rel, trigger);
    }

    private void pollOnce() {
        seenThisScan.clear();
        walk("", false, Trigger.FOUND);
        lastSeen.keySet().retainAll(seenThisScan);
    }

    private boolean watch(Path dir, String rel) {
        try {
            int wd = inotify.addWatch(dir);
            String previous = wdToRel.put(wd, rel);
            if (previous != null && !previous.equals(rel)) {
                relToWd.remove(previous, wd);
            }
            Integer oldWd = relToWd.put(rel, wd);
            if (oldWd != null && oldWd != wd) {
                wdToRel.remove(oldWd);
            }
            return true;
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == Inotify.ENOENT || errno == Inotify.ENOTDIR) {
                return false;
            }
            degraded = true;
            if (errno == Inotify.ENOSPC) {
                if (!warnedWatchLimit) {
                    warnedWatchLimit = true;
                    log.warn(
                            "inotify watch limit reached at {}; rescanning every {} ms instead (raise the sysctl "
                                    + "fs.inotify.max_user_watches)",
                            dir,
                            DEGRADED_RESCAN_MILLIS);
                }
            } else {
                log.warn(
                        "Cannot watch {} (errno {}); rescanning every {} ms instead",
                        dir,
                        errno,
                        DEGRADED_RESCAN_MILLIS);
            }
            return true;
        }
    }
}
