"""Process-tree figures for the benchmark, read from /proc: `cpu PID...` prints the user+system CPU milliseconds of
every live process in the trees rooted at the PIDs; `pss PID...` prints their summed PSS in MB."""

import os
import sys


def children():
    tree = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(name))
    return tree


def tree_of(roots):
    tree, seen, stack = children(), [], list(roots)
    while stack:
        pid = stack.pop()
        seen.append(pid)
        stack.extend(tree.get(pid, []))
    return seen


def cpu_ms(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def pss_mb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    what, roots = sys.argv[1], [int(p) for p in sys.argv[2:]]
    pids = tree_of(roots)
    if what == "cpu":
        print("%.0f" % sum(cpu_ms(p) for p in pids))
    elif what == "pss":
        print("%.1f" % sum(pss_mb(p) for p in pids))
    else:
        print("%d" % len(pids))
