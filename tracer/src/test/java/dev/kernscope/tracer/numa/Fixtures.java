package dev.kernscope.tracer.numa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The fixture /sys + /proc trees under {@code src/test/resources/numa}. */
final class Fixtures {
    private Fixtures() {}

    static SysRoot root(String name) {
        try {
            return new SysRoot(Path.of(Fixtures.class.getResource("/numa/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A writable copy of fixture {@code name} under {@code dir}, for tests that change counters. */
    static SysRoot copy(String name, Path dir) throws IOException {
        Path src = root(name).root();
        try (Stream<Path> walk = Files.walk(src)) {
            walk.forEach(p -> {
                try {
                    Path dst = dir.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(dst); else Files.copy(p, dst);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return new SysRoot(dir);
    }
}
