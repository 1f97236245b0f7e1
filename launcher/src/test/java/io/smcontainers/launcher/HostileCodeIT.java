package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.Archives;
import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile entry-point names and archives against {@code bin/train}: nothing runs through a shell, nothing leaves the code dir. */
class HostileCodeIT {
    @TempDir
    Path tmp;

    private Run train(JobFolder job) throws Exception {
        return Toolkit.run(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
    }

    @Test
    void entryPointNameIsNeverShellSyntax() throws Exception {
        String name = "a;touch X;b $(touch Y).sh";
        JobFolder job = new JobFolder(tmp)
                .program(name)
                .hyperparameter("msg", "\"$(touch Z)\"")
                .sourceFile(name, "#!/bin/sh\necho \"ran with $*\" > \"$SM_MODEL_DIR/ran\"\n")
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("ran with --msg $(touch Z)\n", Files.readString(job.base().resolve("model/ran")));
        try (Stream<Path> all = Files.walk(tmp)) {
            assertTrue(
                    all.noneMatch(p ->
                            Stream.of("X", "Y", "Z").anyMatch(p.getFileName().toString()::equals)),
                    "a shell ran part of the name or the arguments");
        }
    }

    @Test
    void entryPointOutsideTheCodeDirIsRefusedBeforeAnyChmodOrExec() throws Exception {
        Path outside = tmp.resolve("outside.sh");
        Files.writeString(outside, "#!/bin/sh\ntouch " + tmp.resolve("executed") + "\n");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        for (String program : new String[] {"../../outside.sh", outside.toString(), "link.sh"}) {
            Path root = Files.createDirectories(tmp.resolve("job-" + program.hashCode()));
            JobFolder job = new JobFolder(root)
                    .program(program)
                    .sourceFile("train.py", "print(1)\n")
                    .write();
            if (program.equals("link.sh")) {
                // BYOC code baked into the image (a non-empty code dir is used as it is) with a link leading out
                Path code = Files.createDirectories(job.base().resolve("code"));
                Files.createSymbolicLink(code.resolve("link.sh"), outside);
            } else {
                Files.copy(outside, root.resolve("outside.sh")); // what ../../outside.sh names from <root>/opt-ml/code
            }
            Run run = Toolkit.run(
                    root.resolve("logs"),
                    Map.of("SAGEMAKER_BASE_DIR", job.base().toString()),
                    "train");
            assertEquals(1, run.exitCode(), program + ": " + run.stderr());
            assertTrue(job.failure().startsWith("Refusing the entry point '" + program + "'"), job.failure());
            assertTrue(
                    job.failure()
                            .contains("must be a file inside the code directory "
                                    + job.base().resolve("code")),
                    job.failure());
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)), program);
            if (Files.exists(root.resolve("outside.sh"))) {
                assertEquals(
                        "rw-r--r--",
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("outside.sh"))));
            }
            assertFalse(Files.exists(tmp.resolve("executed")), program + " was executed");
        }
    }

    @Test
    void symlinkChainCannotLeadAnEntryOutside() throws Exception {
        Path archive = tmp.resolve("chain.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.link(tar, "a", ".", TarConstants.LF_SYMLINK);
            Archives.link(tar, "b", "a/..", TarConstants.LF_SYMLINK);
            Archives.directory(tar, "b/escaped-dir/");
            Archives.file(tar, "train.py", "print(1)\n");
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().startsWith("Refusing to extract " + archive + ": entry 'b' is a symbolic link to a/.."),
                job.failure());
        assertFalse(Files.exists(job.base().resolve("escaped-dir")), "a directory was created outside the code dir");
        Archives.assertNothingExtracted(job);
    }

    @Test
    void nothingIsWrittenThroughALinkEvenOneThatPointsInside() throws Exception {
        Path archive = tmp.resolve("through.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.link(tar, "a", ".", TarConstants.LF_SYMLINK);
            Archives.directory(tar, "a/escaped-dir/");
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith("Refusing to extract " + archive
                                + ": entry 'a/escaped-dir/' would be written through the link a"),
                job.failure());
        Archives.assertNothingExtracted(job);
    }

    @Test
    void hardLinkThroughALinkChainCannotCopyAFileFromOutside() throws Exception {
        Path archive = tmp.resolve("hard.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.file(tar, "train.py", "import os\nprint(open('h').read())\n");
            Archives.link(tar, "a", ".", TarConstants.LF_SYMLINK);
            Archives.link(tar, "b", "a/..", TarConstants.LF_SYMLINK);
            Archives.link(tar, "h", "b/input/config/hyperparameters.json", TarConstants.LF_LINK);
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().startsWith("Refusing to extract " + archive + ": entry 'b' is a symbolic link to a/.."),
                job.failure());
        Archives.assertNothingExtracted(job);
    }

    @Test
    void hardLinkOnlyToARegularFileExtractedBeforeNeverThroughALink() throws Exception {
        Path archive = tmp.resolve("hard.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.file(tar, "train.py", "print(1)\n");
            Archives.link(tar, "a", ".", TarConstants.LF_SYMLINK);
            Archives.link(tar, "h", "a/train.py", TarConstants.LF_LINK);
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith("Refusing to extract " + archive + ": entry 'h' is a hard link to a/train.py, "
                                + "which is not a regular file extracted before it"),
                job.failure());
        Archives.assertNothingExtracted(job);
    }

    @Test
    void linksInsideTheArchiveStillWork() throws Exception {
        Path archive = tmp.resolve("good.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.directory(tar, "lib/");
            Archives.file(tar, "lib/helper.py", "VALUE = 7\n");
            Archives.link(tar, "pkg", "lib", TarConstants.LF_SYMLINK);
            Archives.link(tar, "lib/up", "../lib/helper.py", TarConstants.LF_SYMLINK);
            Archives.link(tar, "copy.py", "lib/helper.py", TarConstants.LF_LINK);
            Archives.file(
                    tar,
                    "train.py",
                    "import os, sys\nsys.path.insert(0, 'pkg')\nimport helper, copy as c\n"
                            + "open(os.environ['SM_MODEL_DIR'] + '/v', 'w').write('%d %s' % (helper.VALUE, open('lib/up').read().strip()))\n");
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("7 VALUE = 7", Files.readString(job.base().resolve("model/v")));
        assertTrue(Files.isSymbolicLink(job.base().resolve("code/pkg")));
        assertEquals("VALUE = 7\n", Files.readString(job.base().resolve("code/copy.py")));
    }

    @Test
    void flippedByteInAGzipArchiveIsACorruptArchive() throws Exception {
        // stored (level 0) deflate blocks: the flipped byte lands in the script and only the gzip CRC can tell; 128 KiB
        // tar records (tar -b 256) put the gzip trailer far behind the tar's end-of-archive blocks
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GZIPOutputStream(bytes) {
                    {
                        def.setLevel(Deflater.NO_COMPRESSION);
                    }
                },
                128 * 1024)) {
            Archives.file(tar, "train.py", "import os\nopen(os.environ['SM_MODEL_DIR'] + '/out', 'w').write('AAAA')\n");
        }
        byte[] archive = bytes.toByteArray();
        String text = new String(archive, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("AAAA");
        assertTrue(at > 0);
        archive[at] = 'B';
        Path file = tmp.resolve("sourcedir.tar.gz");
        Files.write(file, archive);
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(file.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith("Cannot extract " + file + " into "
                                + job.base().resolve("code") + ": the gzip data is corrupt (Corrupt GZIP trailer)"),
                job.failure());
        assertFalse(Files.exists(job.base().resolve("model/out")), "the corrupted script ran");
        Archives.assertNothingExtracted(job);
    }
}
