package dev.kernscope.tracer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Java mirror of struct sched_event matches the compiled object's BTF, so C and Java cannot drift. */
class SchedEventLayoutTest {
    @Test
    void offsetsMatchTheCompiledObject(@TempDir Path dir) throws Exception {
        assumeTrue(KernelTestSupport.onPath("bpftool"), "needs bpftool to dump the object's BTF");
        Path obj = dir.resolve("sched.bpf.o");
        Files.write(obj, Recorder.loadResource("bpf/sched.bpf.o"));
        String dump = KernelTestSupport.run("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw");
        Matcher head = Pattern.compile("STRUCT 'sched_event' size=(\\d+) vlen=(\\d+)").matcher(dump);
        assertThat(head.find()).as("struct sched_event in BTF").isTrue();
        Map<String, Integer> offsets = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\t'(\\w+)' type_id=\\d+ bits_offset=(\\d+)").matcher(dump.substring(head.end()));
        for (int i = 0; i < Integer.parseInt(head.group(2)) && m.find(); i++) {
            offsets.put(m.group(1), Integer.parseInt(m.group(2)) / 8);
        }
        assertThat(Integer.parseInt(head.group(1))).isEqualTo(SchedEvent.SIZE);
        assertThat(offsets).containsExactly(
                Map.entry("ts", SchedEvent.TS), Map.entry("state", SchedEvent.STATE), Map.entry("type", SchedEvent.TYPE),
                Map.entry("cpu", SchedEvent.CPU), Map.entry("pid", SchedEvent.PID), Map.entry("tgid", SchedEvent.TGID),
                Map.entry("pid2", SchedEvent.PID2), Map.entry("tgid2", SchedEvent.TGID2), Map.entry("arg0", SchedEvent.ARG0),
                Map.entry("arg1", SchedEvent.ARG1), Map.entry("runq", SchedEvent.RUNQ),
                Map.entry("runq_cpu", SchedEvent.RUNQ_CPU), Map.entry("comm", SchedEvent.COMM));
    }

    @Test
    void cpuListsAndBufferSizesParse() {
        assertThat(RecordOptions.parseCpuList("0-2,5").stream().toArray()).containsExactly(0, 1, 2, 5);
        assertThat(RecordOptions.defaults().withBufferMb(3).bufferBytes()).isEqualTo(4L << 20);
        assertThat(RecordOptions.defaults().bufferBytes()).isEqualTo(16L << 20);
    }
}
