package dev.kernscope.app.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs packaging/test-deb.sh after the app jar is packaged (integration-test phase): builds the .deb, installs
 * it, runs the installed kernscope and removes it. Skipped with the script's reason when not root or when
 * jpackage / dpkg are missing.
 */
class PackagingIT {
    @Test
    void theDebInstallsAndRuns() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Process p = new ProcessBuilder("bash", root.resolve("packaging/test-deb.sh").toString())
                .redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assumeFalse(out.startsWith("SKIPPED"), out.strip());
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("deb test ok");
    }
}
