"""Summarises an async-profiler collapsed profile taken with `threads` (profile.sh): per thread group (event loops,
inference workers, JIT, GC, other), the share of samples; for the event loops and workers, the share spent in the
kernel or system calls, the hottest self frames, the samples attributed to the deepest frame of ours
(io.smcontainers) on each stack (else the deepest Netty frame), and the share of stacks through a few places."""

import collections
import re
import sys

GROUPS = (("event loop", re.compile(r"EventLoop")),
          ("inference", re.compile(r"smc-inference")),
          ("JIT", re.compile(r"Compiler")),
          ("GC", re.compile(r"GC|VM Thread")))
SYSCALL = re.compile(r"_\[k\]$|^(__GI___send|__libc_send|send|recv|__libc_recv|epoll_pwait2?|epoll_wait|\[vdso\]|__futex\w*|__lll_lock_wake|write|read)$")
MARKS = ("ArrayBlockingQueue", "LinkedBlockingQueue", "LockSupport.park", "futex", "eventfd", "SingleThreadEventExecutor.execute",
         "AbstractChannelHandlerContext$WriteTask", "HttpObjectDecoder", "HttpObjectEncoder", "MDC")


def group(thread):
    for name, pattern in GROUPS:
        if pattern.search(thread):
            return name
    return "other"


def main(path):
    total = 0
    by_group = collections.Counter()
    kernel = collections.Counter()
    self_frames = collections.defaultdict(collections.Counter)
    ours = collections.defaultdict(collections.Counter)
    marks = collections.defaultdict(collections.Counter)
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        count = int(count)
        frames = stack.split(";")
        g = group(frames[0])
        total += count
        by_group[g] += count
        top = frames[-1]
        self_frames[g][top] += count
        if SYSCALL.search(top):
            kernel[g] += count
        else:
            owner = next((f for f in reversed(frames) if f.startswith("io/smcontainers")), None)
            owner = owner or "netty " + next((f for f in reversed(frames) if f.startswith("io/netty")), "?")
            ours[g][owner.rsplit("/", 1)[-1]] += count
        joined = ";".join(frames[1:])
        for mark in MARKS:
            if mark in joined:
                marks[g][mark] += count
    print(f"samples {total}")
    for g, n in by_group.most_common():
        print(f"\n== {g}: {100 * n / total:.1f}% of samples")
        if g in ("JIT", "GC", "other"):
            continue
        print(f"  kernel or system call on top: {100 * kernel[g] / n:.1f}%")
        print("  self:")
        for frame, c in self_frames[g].most_common(12):
            print(f"    {100 * c / n:5.1f}%  {frame[:110]}")
        print("  user time by deepest frame of ours (else Netty's):")
        for frame, c in ours[g].most_common(15):
            print(f"    {100 * c / n:5.1f}%  {frame[:110]}")
        print("  stacks through:")
        for mark, c in marks[g].most_common():
            print(f"    {100 * c / n:5.1f}%  {mark}")


main(sys.argv[1])
