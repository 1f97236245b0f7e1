package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

/** Reads the output of {@code nvidia-smi --list-gpus}. */
final class GpuListing {

    /** Each physical GPU is one line starting with this; MIG devices are indented lines under their GPU. */
    static final String GPU_LINE_PREFIX = "GPU ";

    private GpuListing() {}

    /**
     * The number of lines that start with {@code "GPU "}, as the reference counts them (lines split on {@code \n}
     * only; a line such as {@code "  MIG 3g.20gb  Device 0: ..."} or {@code "GPU0"} does not count).
     */
    static int countGpus(String listing) {
        requireNonNull(listing, "listing is null");
        int count = 0;
        int lineStart = 0;
        while (lineStart <= listing.length()) {
            int lineEnd = listing.indexOf('\n', lineStart);
            if (listing.startsWith(GPU_LINE_PREFIX, lineStart)) {
                count++;
            }
            if (lineEnd < 0) {
                break;
            }
            lineStart = lineEnd + 1;
        }
        return count;
    }
}
