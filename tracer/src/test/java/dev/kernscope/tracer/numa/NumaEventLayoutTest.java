package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java mirror of struct numa_event matches the compiled object's BTF, so C and Java cannot drift. */
class NumaEventLayoutTest {
    @Test
    void offsetsMatchTheCompiledObject(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/bpftool")) || Files.isExecutable(Path.of("/usr/bin/bpftool")),
                "needs bpftool to dump the object's BTF");
        Path obj = dir.resolve("numa.bpf.o");
        try (InputStream in = NumaPrograms.class.getResourceAsStream("/dev/kernscope/tracer/bpf/numa.bpf.o")) {
            assertThat(in).as("numa.bpf.o in the tracer's classes").isNotNull();
            Files.write(obj, in.readAllBytes());
        }
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw")
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(dump).isZero();

        Matcher head = Pattern.compile("STRUCT 'numa_event' size=(\\d+) vlen=(\\d+)").matcher(dump);
        assertThat(head.find()).as("struct numa_event in BTF").isTrue();
        assertThat(Integer.parseInt(head.group(1))).isEqualTo(NumaEvent.SIZE);
        Map<String, Integer> offsets = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\t'(\\w+)' type_id=\\d+ bits_offset=(\\d+)").matcher(dump.substring(head.end()));
        for (int i = 0; i < Integer.parseInt(head.group(2)) && m.find(); i++) {
            offsets.put(m.group(1), Integer.parseInt(m.group(2)) / 8);
        }
        assertThat(offsets).containsExactly(
                Map.entry("ts", NumaEvent.TS), Map.entry("count", NumaEvent.COUNT), Map.entry("count2", NumaEvent.COUNT2),
                Map.entry("type", NumaEvent.TYPE), Map.entry("cpu", NumaEvent.CPU), Map.entry("pid", NumaEvent.PID),
                Map.entry("tgid", NumaEvent.TGID), Map.entry("pid2", NumaEvent.PID2), Map.entry("tgid2", NumaEvent.TGID2),
                Map.entry("src_cpu", NumaEvent.SRC_CPU), Map.entry("dst_cpu", NumaEvent.DST_CPU),
                Map.entry("nid", NumaEvent.NID), Map.entry("flags", NumaEvent.FLAGS));
    }
}
