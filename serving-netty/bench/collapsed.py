"""Summarises an async-profiler collapsed profile taken with `threads` (profile.sh): per thread group (event loops,
inference workers, JIT, GC, other), the share of samples, then the hottest self frames and the share of stacks that pass
through a few places of interest on the request path."""

import collections
import re
import sys

GROUPS = (("event loop", re.compile(r"multiThreadIoEventLoop|epollEventLoop|nioEventLoop")),
          ("inference", re.compile(r"smc-inference")),
          ("JIT", re.compile(r"Compiler")),
          ("GC", re.compile(r"GC|VM Thread")))
MARKS = ("HttpRequestDecoder", "HttpObjectDecoder", "HttpResponseEncoder", "HttpObjectEncoder", "PayloadAggregator",
         "HttpObjectAggregator", "RequestRouter", "InvocationDispatcher", "Responses", "Exchange.of", "newRequestId",
         "Job.", "InferencePool", "ArrayBlockingQueue", "LockSupport", "futex", "writev", "send", "recv", "read",
         "epoll_wait", "epoll_pwait", "eventfd", "wakeup", "KeepAliveTimeout", "InOrder", "FastPath", "MDC", "Logger",
         "transform", "ThreadLocalRandom", "UUID", "DefaultHttpHeaders", "PooledByteBufAllocator", "flush", "[k]")


def group(thread):
    for name, pattern in GROUPS:
        if pattern.search(thread):
            return name
    return "other"


def main(path):
    total = 0
    by_group = collections.Counter()
    self_frames = collections.defaultdict(collections.Counter)
    marks = collections.defaultdict(collections.Counter)
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        count = int(count)
        frames = stack.split(";")
        g = group(frames[0])
        total += count
        by_group[g] += count
        self_frames[g][frames[-1]] += count
        joined = ";".join(frames[1:])
        for mark in MARKS:
            if mark in joined:
                marks[g][mark] += count
    print(f"samples {total}")
    for g, n in by_group.most_common():
        print(f"\n== {g}: {100 * n / total:.1f}% of samples")
        if g in ("JIT", "GC"):
            continue
        print("  self:")
        for frame, c in self_frames[g].most_common(18):
            print(f"    {100 * c / n:5.1f}%  {frame[:110]}")
        print("  stacks through:")
        for mark, c in marks[g].most_common():
            print(f"    {100 * c / n:5.1f}%  {mark}")


main(sys.argv[1])
