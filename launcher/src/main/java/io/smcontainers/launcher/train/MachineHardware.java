package io.smcontainers.launcher.train;

import io.smcontainers.env.core.HardwareInfo;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link HardwareInfo} of this machine, as the reference probes it (training contract §3.4): GPUs from
 * {@code nvidia-smi --list-gpus}, Neuron cores from {@code neuron-ls -j}, online CPUs from
 * {@code /sys/devices/system/cpu/online}. Tools that are not on PATH are not started, so a CPU machine pays nothing.
 * (Interim: replaced by the gpu-probe module's {@code HardwareProbe} once it is merged.)
 */
final class MachineHardware implements HardwareInfo {
    private static final Pattern NC_COUNT = Pattern.compile("\"nc_count\"\\s*:\\s*(\\d+)");

    private final Map<String, String> environment;

    MachineHardware(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public int gpuCount() {
        if (!isOnPath("nvidia-smi")) {
            return 0;
        }
        String out = run("nvidia-smi", "--list-gpus");
        return out == null ? 0 : (int) out.lines().filter(l -> l.startsWith("GPU ")).count();
    }

    @Override
    public int neuronCoreCount(String currentInstanceType) {
        if (currentInstanceType.contains("trn2.48xlarge")) {
            return 64;
        }
        if (!isOnPath("neuron-ls")) {
            return 0;
        }
        String out = run("neuron-ls", "-j");
        if (out == null) {
            return 0;
        }
        int total = 0;
        Matcher m = NC_COUNT.matcher(out);
        while (m.find()) {
            total += Integer.parseInt(m.group(1));
        }
        return total;
    }

    @Override
    public int cpuCount() {
        try {
            String online = Files.readString(Paths.get("/sys/devices/system/cpu/online"), StandardCharsets.US_ASCII).strip();
            int count = 0;
            for (String range : online.split(",")) {
                String[] ends = range.split("-");
                count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return count;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    @Override
    public boolean isOnPath(String executable) {
        String path = environment.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Paths.get(dir, executable);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
