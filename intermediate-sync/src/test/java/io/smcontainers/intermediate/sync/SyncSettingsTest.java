package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncSettingsTest {
    @TempDir
    Path base;

    private Path intermediate() throws Exception {
        Files.createDirectories(base.resolve("output"));
        return base.resolve("output/intermediate");
    }

    @ParameterizedTest(name = "{0} + job ''{1}''")
    @CsvSource(
            delimiter = '|',
            nullValues = "<unset>",
            value = {
                "s3://bucket          | job-1   | bucket | job-1/output/intermediate/f.txt       | job-1/output/intermediate/d1/d2/f.txt",
                "s3://bucket/         | job-1   | bucket | job-1/output/intermediate/f.txt       | job-1/output/intermediate/d1/d2/f.txt",
                "s3://bucket/a/b      | job-1   | bucket | a/b/job-1/output/intermediate/f.txt   | a/b/job-1/output/intermediate/d1/d2/f.txt",
                "s3://bucket/a/b/     | job-1   | bucket | a/b/job-1/output/intermediate/f.txt   | a/b/job-1/output/intermediate/d1/d2/f.txt",
                "s3://bucket/a//b     | job-1   | bucket | a//b/job-1/output/intermediate/f.txt  | a//b/job-1/output/intermediate/d1/d2/f.txt",
                "s3://bucket/a        | <unset> | bucket | a/output/intermediate/f.txt           | a/output/intermediate/d1/d2/f.txt",
                "s3://bucket          | <unset> | bucket | output/intermediate/f.txt             | output/intermediate/d1/d2/f.txt",
                "s3://bucket/a%20b    | job     | bucket | a%20b/job/output/intermediate/f.txt   | a%20b/job/output/intermediate/d1/d2/f.txt",
                "s3://bucket/a?x=1#f  | job     | bucket | a/job/output/intermediate/f.txt       | a/job/output/intermediate/d1/d2/f.txt",
                "S3://Bucket/a        | job     | Bucket | a/job/output/intermediate/f.txt       | a/job/output/intermediate/d1/d2/f.txt",
            })
    void keyLayoutIsTheToolkits(String uri, String job, String bucket, String topKey, String nestedKey)
            throws Exception {
        SyncSettings s =
                SyncSettings.fromJob(uri, job, intermediate(), Map.of()).orElseThrow();
        assertEquals(bucket, s.bucket());
        assertEquals(topKey, s.keyFor("f.txt"));
        assertEquals(nestedKey, s.keyFor("d1/d2/f.txt"));
    }

    @Test
    void noOutputLocationMeansNoSyncAndNothingCreated() throws Exception {
        Path i = intermediate();
        assertFalse(SyncSettings.jobOwnsFolder(null, i));
        assertFalse(SyncSettings.jobOwnsFolder("", i));
        assertEquals(Optional.empty(), SyncSettings.fromJob(null, "job", i, Map.of()));
        assertEquals(Optional.empty(), SyncSettings.fromJob("", "job", i, Map.of()));
        assertFalse(Files.exists(i));
    }

    @Test
    void anExistingIntermediateFolderMeansThePlatformSyncsIt() throws Exception {
        Path i = Files.createDirectories(intermediate());
        assertFalse(SyncSettings.jobOwnsFolder("s3://bucket/x", i));
        assertFalse(Files.exists(i.resolve(SyncSettings.STAGING_DIR_NAME)));
        assertTrue(SyncSettings.jobOwnsFolder("s3://bucket/x", intermediate().resolveSibling("new")));
    }

    @Test
    void fileSchemeMeansNoSyncAndSettingsCreateNothing() throws Exception {
        Path i = intermediate();
        assertEquals(Optional.empty(), SyncSettings.fromJob("file:///tmp/out", "job", i, Map.of()));
        assertFalse(Files.exists(i), "the caller creates the folders (createFolders)");
        assertTrue(SyncSettings.fromJob("s3://b", "job", i, Map.of()).isPresent());
        assertFalse(Files.exists(i));
        SyncSettings.createFolders(i);
        assertTrue(Files.isDirectory(i.resolve(SyncSettings.STAGING_DIR_NAME)));
    }

    @Test
    void anotherSchemeIsATypedErrorWithTheToolkitsMessage() throws Exception {
        Path i = intermediate();
        InvalidS3OutputException e = assertThrows(
                InvalidS3OutputException.class,
                () -> SyncSettings.fromJob("tcp://localhost:8080/x", "job", i, Map.of()));
        assertEquals(
                "Expecting 's3' scheme, got: tcp in ParseResult(scheme='tcp', netloc='localhost:8080', "
                        + "path='/x', params='', query='', fragment='')",
                e.getMessage());
        assertEquals("tcp://localhost:8080/x", e.uri());
    }

    @Test
    void aMissingParentIsAnIoErrorNamingTheFolder() {
        Path i = base.resolve("missing/intermediate");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SyncSettings.createFolders(i));
        assertTrue(e.getMessage().contains(i.toString()), e.getMessage());
    }

    @Test
    void defaults() throws Exception {
        SyncSettings s =
                SyncSettings.fromJob("s3://b", "job", intermediate(), Map.of()).orElseThrow();
        assertEquals("us-east-1", s.region());
        assertNull(s.endpoint());
        assertEquals(Map.of(), s.clientEnvironment());
        assertEquals(16, s.maxConcurrentUploads());
        assertEquals(8, s.maxAttempts());
        assertEquals(Duration.ofSeconds(120), s.attemptTimeout());
        assertEquals(Duration.ofSeconds(600), s.stopTimeout());
    }

    @Test
    void everyVariableMaps() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "eu-west-1");
        env.put("SAGEMAKER_REGION", "us-west-2");
        env.put("S3_ENDPOINT_URL", "http://127.0.0.1:9090");
        env.put("AWS_ACCESS_KEY_ID", "AKID");
        env.put("AWS_SECRET_ACCESS_KEY", "very-secret");
        env.put("AWS_SESSION_TOKEN", "token-secret");
        env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
        env.put(SyncSettings.ENV_CONCURRENCY, "4");
        env.put(SyncSettings.ENV_MAX_ATTEMPTS, "3");
        env.put(SyncSettings.ENV_ATTEMPT_TIMEOUT, "7");
        env.put(SyncSettings.ENV_STOP_TIMEOUT, "9");
        env.put("UNRELATED", "x");
        SyncSettings s =
                SyncSettings.fromJob("s3://b", "job", intermediate(), env).orElseThrow();
        assertEquals("eu-west-1", s.region());
        assertEquals(URI.create("http://127.0.0.1:9090"), s.endpoint());
        assertEquals(5, s.clientEnvironment().size());
        assertEquals(4, s.maxConcurrentUploads());
        assertEquals(3, s.maxAttempts());
        assertEquals(Duration.ofSeconds(7), s.attemptTimeout());
        assertEquals(Duration.ofSeconds(9), s.stopTimeout());
        assertFalse(s.toString().contains("very-secret"), s.toString());
        assertFalse(s.toString().contains("token-secret"), s.toString());
        assertTrue(s.toString().contains("AKID"), s.toString());
    }

    @Test
    void sagemakerRegionIsTheFallbackAndEmptyMeansUnset() throws Exception {
        SyncSettings s = SyncSettings.fromJob(
                        "s3://b", "job", intermediate(), Map.of("AWS_REGION", "", "SAGEMAKER_REGION", "ap-south-1"))
                .orElseThrow();
        assertEquals("ap-south-1", s.region());
    }

    @Test
    void badTuningValuesNameTheVariable() throws Exception {
        Path i = intermediate();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SyncSettings.fromJob("s3://b", "job", i, Map.of(SyncSettings.ENV_CONCURRENCY, "many")));
        assertTrue(e.getMessage().contains(SyncSettings.ENV_CONCURRENCY), e.getMessage());
        IllegalArgumentException endpoint = assertThrows(
                IllegalArgumentException.class,
                () -> SyncSettings.fromJob("s3://b", "job", i, Map.of("S3_ENDPOINT_URL", "not a url")));
        assertTrue(endpoint.getMessage().contains("S3_ENDPOINT_URL"), endpoint.getMessage());
    }

    @Test
    void aUriWithoutBucketIsRejected() throws Exception {
        Path i = intermediate();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> SyncSettings.fromJob("s3:///path", "job", i, Map.of()));
        assertTrue(e.getMessage().contains("bucket"), e.getMessage());
    }

    @Test
    void posixJoinFollowsPython() {
        assertEquals("a/b", OutputUri.posixJoin("a", "b"));
        assertEquals("a/b", OutputUri.posixJoin("a/", "b"));
        assertEquals("a/", OutputUri.posixJoin("a", ""));
        assertEquals("b", OutputUri.posixJoin("", "b"));
        assertEquals("/b", OutputUri.posixJoin("a", "/b"));
    }
}
