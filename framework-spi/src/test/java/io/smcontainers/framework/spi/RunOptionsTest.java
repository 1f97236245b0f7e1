package io.smcontainers.framework.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunOptionsTest {
    @Test
    void defaultsRunTheJobsEntryPointWithAutomaticRunner() {
        RunOptions options = RunOptions.defaults();
        assertEquals(Optional.empty(), options.entryPoint());
        assertTrue(options.args().isEmpty());
        assertEquals(RunOptions.Runner.AUTO, options.runner());
        assertTrue(options.captureError());
    }

    @Test
    void copiesCollectionsAndKeepsEnvironmentOrder() {
        List<String> args = new ArrayList<>(List.of("--a", "1"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("Z", "1");
        env.put("A", "2");
        RunOptions options = new RunOptions(Optional.of("x.py"), args, env, RunOptions.Runner.PROCESS, false);
        args.add("--b");
        env.put("M", "3");
        assertEquals(List.of("--a", "1"), options.args());
        assertEquals(List.of("Z", "A"), List.copyOf(options.extraEnvironment().keySet()));
        assertThrows(
                UnsupportedOperationException.class,
                () -> options.extraEnvironment().put("B", "4"));
    }

    @Test
    void rejectsNulls() {
        assertThrows(
                NullPointerException.class,
                () -> new RunOptions(null, List.of(), Map.of(), RunOptions.Runner.AUTO, true));
        assertThrows(
                NullPointerException.class, () -> new RunOptions(Optional.empty(), List.of(), Map.of(), null, true));
    }
}
