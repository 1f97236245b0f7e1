package io.smcontainers.launcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which folder a multi-host test keeps visible inside its hosts, whose /tmp, /run and /root are empty tmpfs. */
class NamespaceHostTest {
    @Test
    void theTopFolderUnderAHiddenOneIsKept() {
        assertEquals(
                Optional.of(Path.of("/tmp/clone")),
                NamespaceHost.hiddenTop(Path.of("/tmp/clone/launcher/target/multihost/x/algo-1")));
        assertEquals(Optional.of(Path.of("/root/src")), NamespaceHost.hiddenTop(Path.of("/root/src/a/../b")));
        assertEquals(Optional.of(Path.of("/run/ci")), NamespaceHost.hiddenTop(Path.of("/run/ci/work")));
    }

    @Test
    void nothingIsKeptOutsideThem() {
        assertEquals(Optional.empty(), NamespaceHost.hiddenTop(Path.of("/work/main/launcher/target/multihost")));
        assertEquals(Optional.empty(), NamespaceHost.hiddenTop(Path.of("/rooted/x")));
        assertEquals(Optional.empty(), NamespaceHost.hiddenTop(Path.of("/tmp")));
    }
}
