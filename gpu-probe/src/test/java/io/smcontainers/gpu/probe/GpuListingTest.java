package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuListingTest {

    @Test
    void gpuCountInGpuInstance() {
        // reference test: nvidia-smi output "GPU 0\nGPU 1" -> 2
        assertEquals(2, GpuListing.countGpus("GPU 0\nGPU 1"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "nvidia-smi/g4dn.xlarge-1-gpu.txt, 1",
        "nvidia-smi/p4d.24xlarge-8-gpus.txt, 8",
        "nvidia-smi/mig-3-gpus-5-mig-devices.txt, 3",
        "nvidia-smi/no-driver.txt, 0",
        "nvidia-smi/no-devices.txt, 0",
    })
    void recordedListings(String resource, int gpus) throws IOException {
        assertEquals(gpus, GpuListing.countGpus(fake(resource)));
    }

    @Test
    void migDevicesAreNotGpus() throws IOException {
        String listing = fake("nvidia-smi/mig-3-gpus-5-mig-devices.txt");
        assertEquals(
                5,
                listing.lines().filter(line -> line.strip().startsWith("MIG ")).count());
        assertEquals(3, GpuListing.countGpus(listing));
    }

    @Test
    void onlyLinesStartingWithGpuAndASpaceCount() {
        assertEquals(0, GpuListing.countGpus(""));
        assertEquals(0, GpuListing.countGpus("\n\n"));
        assertEquals(1, GpuListing.countGpus("GPU "));
        assertEquals(0, GpuListing.countGpus("GPU"));
        assertEquals(0, GpuListing.countGpus("GPU0: Tesla T4"));
        assertEquals(0, GpuListing.countGpus(" GPU 0: Tesla T4"));
        assertEquals(0, GpuListing.countGpus("gpu 0: Tesla T4"));
        assertEquals(0, GpuListing.countGpus("GPU\t0: Tesla T4"));
        assertEquals(0, GpuListing.countGpus("Warning: GPU 0 is in a bad state"));
        assertEquals(2, GpuListing.countGpus("GPU 0: a\n\nGPU 1: b\n"));
    }

    @Test
    void linesAreSplitOnNewlineOnly() {
        // the reference splits on "\n": CRLF lines still start with "GPU ", a "\r" inside a line starts nothing
        assertEquals(2, GpuListing.countGpus("GPU 0: a\r\nGPU 1: b\r\n"));
        assertEquals(1, GpuListing.countGpus("GPU 0: a\rGPU 1: b"));
        assertEquals(1, GpuListing.countGpus("GPU 0: a\u2028GPU 1: b"));
    }

    @Test
    void everyLineIsCounted() {
        assertEquals(1000, GpuListing.countGpus("GPU 0: x\n".repeat(1000)));
    }

    static String fake(String resource) throws IOException {
        try (InputStream in =
                GpuListingTest.class.getResourceAsStream("/io/smcontainers/gpu/probe/fakes/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
