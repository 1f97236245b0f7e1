package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServingEnvTest {
    private static final Map<String, String> EVERY_KEY = everyKey();

    private static Map<String, String> everyKey() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SAGEMAKER_BASE_DIR", "/tmp/base");
        env.put("SAGEMAKER_BIND_TO_PORT", "1738");
        env.put("SAGEMAKER_SAFE_PORT_RANGE", "1111-2222");
        env.put("SAGEMAKER_MODEL_SERVER_WORKERS", "8");
        env.put("SAGEMAKER_MODEL_SERVER_TIMEOUT", "20");
        env.put("SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS", "30");
        env.put("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv");
        env.put("SAGEMAKER_USE_NGINX", "false");
        env.put("SAGEMAKER_MAX_PAYLOAD_IN_MB", "10");
        env.put("SAGEMAKER_MULTI_MODEL", "TRUE");
        env.put("SAGEMAKER_PROGRAM", "main.py");
        env.put("SAGEMAKER_SUBMIT_DIRECTORY", "s3://bucket/code.tar.gz");
        env.put("SAGEMAKER_SERVING_MODULE", "com.example.Handler");
        env.put("SAGEMAKER_CONTAINER_LOG_LEVEL", "10");
        env.put("SAGEMAKER_STARTUP_TIMEOUT", "50");
        env.put("CURRENT_HOST", "algo-1");
        env.put("SMC_BIND_ADDRESS", "127.0.0.2");
        env.put("SMC_JOB_QUEUE_SIZE", "7");
        env.put("SMC_KEEP_ALIVE_SECONDS", "9");
        env.put("SMC_HEADER_READ_TIMEOUT_SECONDS", "13");
        env.put("SMC_BODY_MIN_RATE_BYTES", "250");
        env.put("SMC_NETTY_THREADS", "3");
        env.put("SMC_SHUTDOWN_GRACE_SECONDS", "11");
        env.put("SMC_USE_NATIVE_IO", "off");
        env.put("SMC_ERROR_STACK_TRACES", "no");
        env.put("SMC_METRICS_PORT", "9404");
        return env;
    }

    @Test
    void defaults() {
        ServingEnv env = ServingEnv.fromEnvironment(Map.of(), 4);
        assertEquals(Path.of("/opt/ml"), env.baseDir());
        assertEquals(8080, env.port());
        assertEquals(Optional.empty(), env.safePortRange());
        assertEquals(4, env.workers());
        assertEquals(Duration.ofSeconds(60), env.invocationTimeout());
        assertEquals("application/json", env.defaultAccept());
        assertTrue(env.useNginx());
        assertEquals(Optional.empty(), env.maxPayloadInMb());
        assertEquals(100L * 1024 * 1024, env.maxPayloadBytes());
        assertFalse(env.multiModel());
        assertEquals(Path.of("/opt/ml/model"), env.modelDir());
        assertEquals(Optional.empty(), env.program());
        assertEquals("/opt/ml/code", env.submitDirectory());
        assertEquals(Optional.empty(), env.servingModule());
        assertEquals(20, env.logLevel());
        assertEquals("INFO", env.logLevelName());
        assertEquals(Duration.ofSeconds(600), env.startupTimeout());
        assertEquals(Optional.empty(), env.currentHost());
        assertEquals(100, env.jobQueueSize());
        assertEquals(Duration.ofSeconds(60), env.keepAlive());
        assertEquals(Duration.ofSeconds(60), env.headerReadTimeout());
        assertEquals(500, env.bodyMinRate());
        assertEquals(4, env.nettyThreads());
        assertEquals(Duration.ofSeconds(25), env.shutdownGrace());
        assertTrue(env.useNativeIo());
        assertTrue(env.errorStackTraces());
        assertEquals(Optional.empty(), env.metricsPort());
    }

    @Test
    void everyKeyMapsToItsField() {
        ServingEnv env = ServingEnv.fromEnvironment(EVERY_KEY, 4);
        assertEquals(Path.of("/tmp/base"), env.baseDir());
        assertEquals(1738, env.port());
        assertEquals(Optional.of(new ServingEnv.PortRange(1111, 2222)), env.safePortRange());
        assertEquals(8, env.workers());
        assertEquals(Duration.ofSeconds(30), env.invocationTimeout(), "the _SECONDS variant wins");
        assertEquals("text/csv", env.defaultAccept());
        assertFalse(env.useNginx());
        assertEquals(Optional.of(10), env.maxPayloadInMb());
        assertEquals(10L * 1048576, env.maxPayloadBytes());
        assertTrue(env.multiModel());
        assertEquals(Path.of("/tmp/base/models"), env.modelDir());
        assertEquals(Optional.of("main.py"), env.program());
        assertEquals(Optional.of("main"), env.moduleName());
        assertEquals("s3://bucket/code.tar.gz", env.submitDirectory());
        assertEquals(Optional.of("com.example.Handler"), env.servingModule());
        assertEquals(10, env.logLevel());
        assertEquals("DEBUG", env.logLevelName());
        assertEquals(Duration.ofSeconds(50), env.startupTimeout());
        assertEquals(Optional.of("algo-1"), env.currentHost());
        assertEquals("127.0.0.2", env.bindAddress());
        assertEquals(7, env.jobQueueSize());
        assertEquals(Duration.ofSeconds(9), env.keepAlive());
        assertEquals(Duration.ofSeconds(13), env.headerReadTimeout());
        assertEquals(250, env.bodyMinRate());
        assertEquals(3, env.nettyThreads());
        assertEquals(Duration.ofSeconds(11), env.shutdownGrace());
        assertFalse(env.useNativeIo());
        assertFalse(env.errorStackTraces());
        assertEquals(Optional.of(9404), env.metricsPort());
        assertEquals("algo-1", env.environment().get("CURRENT_HOST"));
    }

    @Test
    void theDeclaredListAndTheMappingTestCoverEveryVariableTheReaderReads() {
        // the names the reader actually looks up, recorded, not kept by hand
        Set<String> read = new HashSet<>();
        Map<String, String> recording = new java.util.AbstractMap<>() {
            @Override
            public String get(Object key) {
                read.add((String) key);
                return null;
            }

            @Override
            public Set<Entry<String, String>> entrySet() {
                return Set.of();
            }
        };
        ServingEnv.fromEnvironment(recording, 2);
        assertEquals(read, new HashSet<>(ServingEnv.VARIABLES));
        assertEquals(read, EVERY_KEY.keySet());
        assertEquals(
                ServingEnv.VARIABLES.size(), Set.copyOf(ServingEnv.VARIABLES).size());
    }

    @Test
    void withWorkersChangesTheWorkersOnly() throws Exception {
        ServingEnv env = ServingEnv.fromEnvironment(
                Map.of(
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "3",
                        "SMC_JOB_QUEUE_SIZE",
                        "7",
                        "SAGEMAKER_PROGRAM",
                        "serve.py",
                        "SMC_KEEP_ALIVE_SECONDS",
                        "9"),
                4);
        ServingEnv changed = env.withWorkers(5);
        assertEquals(5, changed.workers());
        // every other component, found by reflection so that a new one cannot be missed
        for (java.lang.reflect.RecordComponent component : ServingEnv.class.getRecordComponents()) {
            if (!component.getName().equals("workers")) {
                assertEquals(
                        component.getAccessor().invoke(env),
                        component.getAccessor().invoke(changed),
                        component.getName());
            }
        }
        assertEquals(env, changed.withWorkers(3));
        assertThrows(IllegalArgumentException.class, () -> env.withWorkers(0));
    }

    @Test
    void timeoutWithoutTheSecondsVariantIsSeconds() {
        assertEquals(
                Duration.ofSeconds(20),
                ServingEnv.fromEnvironment(Map.of("SAGEMAKER_MODEL_SERVER_TIMEOUT", "20"), 1)
                        .invocationTimeout());
    }

    @Test
    void everyInvalidVariableIsReportedAtOnce() {
        Map<String, String> bad = Map.of(
                "SAGEMAKER_BIND_TO_PORT", "80a",
                "SAGEMAKER_MODEL_SERVER_WORKERS", "0",
                "SAGEMAKER_USE_NGINX", "maybe",
                "SAGEMAKER_MAX_PAYLOAD_IN_MB", "six",
                "SAGEMAKER_SAFE_PORT_RANGE", "1111",
                "SMC_METRICS_PORT", "65536",
                "SMC_BODY_MIN_RATE_BYTES", "-1");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> ServingEnv.fromEnvironment(bad, 2));
        for (String expected : List.of(
                "SAGEMAKER_BIND_TO_PORT='80a'",
                "SAGEMAKER_MODEL_SERVER_WORKERS='0'",
                "SAGEMAKER_USE_NGINX='maybe'",
                "SAGEMAKER_MAX_PAYLOAD_IN_MB='six'",
                "SAGEMAKER_SAFE_PORT_RANGE='1111'",
                "SMC_METRICS_PORT='65536'",
                "SMC_BODY_MIN_RATE_BYTES='-1'")) {
            assertTrue(error.getMessage().contains(expected), () -> expected + " missing from: " + error.getMessage());
        }
    }

    @Test
    void strtoboolAcceptsPythonSpellings() {
        for (String yes : List.of("y", "YES", "t", "True", "on", "1")) {
            assertTrue(
                    ServingEnv.fromEnvironment(Map.of("SAGEMAKER_USE_NGINX", yes), 1)
                            .useNginx(),
                    yes);
        }
        for (String no : List.of("n", "No", "f", "FALSE", "off", "0")) {
            assertFalse(
                    ServingEnv.fromEnvironment(Map.of("SAGEMAKER_USE_NGINX", no), 1)
                            .useNginx(),
                    no);
        }
    }

    @Test
    void multiModelOnlyForTrue() {
        assertFalse(ServingEnv.fromEnvironment(Map.of("SAGEMAKER_MULTI_MODEL", "yes"), 1)
                .multiModel());
        assertTrue(ServingEnv.fromEnvironment(Map.of("SAGEMAKER_MULTI_MODEL", "true"), 1)
                .multiModel());
    }

    @Test
    void nextSafePortFollowsTheReference() {
        ServingEnv.PortRange range = ServingEnv.PortRange.parse("1111-2222");
        assertEquals(1111, range.nextPort(Optional.empty()));
        assertEquals(1112, range.nextPort(Optional.of(1111)));
        IllegalArgumentException above =
                assertThrows(IllegalArgumentException.class, () -> range.nextPort(Optional.of(2223)));
        assertEquals("2224 is outside of the acceptable port range for SageMaker: 1111-2222", above.getMessage());
        assertThrows(IllegalArgumentException.class, () -> range.nextPort(Optional.of(1011)));
    }

    @Test
    void toStringHidesTheEnvironment() {
        ServingEnv env = ServingEnv.fromEnvironment(Map.of("AWS_SECRET_ACCESS_KEY", "hunter2"), 1);
        assertFalse(env.toString().contains("hunter2"));
    }
}
