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
        String dump = btf(dir);
        assertThat(layout(dump, "sched_event", SchedEvent.SIZE)).containsExactly(
                Map.entry("ts", SchedEvent.TS), Map.entry("pid", SchedEvent.PID), Map.entry("type", SchedEvent.TYPE),
                Map.entry("cpu", SchedEvent.CPU), Map.entry("tgid", SchedEvent.TGID), Map.entry("pid2", SchedEvent.PID2),
                Map.entry("tgid2", SchedEvent.TGID2), Map.entry("arg0", SchedEvent.ARG0),
                Map.entry("arg1", SchedEvent.ARG1), Map.entry("arg2", SchedEvent.ARG2));
        assertThat(layout(dump, "sched_task_event", SchedEvent.TASK_SIZE)).containsExactly(
                Map.entry("ev", 0), Map.entry("comm", SchedEvent.COMM));
        assertThat(layout(dump, "sched_batch", SchedEvent.BATCH_SIZE)).containsExactly(
                Map.entry("hdr", 0), Map.entry("ev", SchedEvent.SIZE));
        assertThat(layout(dump, "exec_args", ExecArgs.SIZE)).containsExactly(Map.entry("ts", ExecArgs.TS),
                Map.entry("len", ExecArgs.LEN), Map.entry("pad", ExecArgs.LEN + 4), Map.entry("args", ExecArgs.ARGS));
    }

    private static String btf(Path dir) throws Exception {
        assumeTrue(KernelTestSupport.onPath("bpftool"), "needs bpftool to dump the object's BTF");
        Path obj = dir.resolve("sched.bpf.o");
        Files.write(obj, Recorder.loadResource("bpf/sched.bpf.o"));
        return KernelTestSupport.run("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw");
    }

    /** Member name → byte offset of {@code struct name}, after checking its size. */
    static Map<String, Integer> layout(String dump, String name, int size) {
        Matcher head = Pattern.compile("STRUCT '" + name + "' size=(\\d+) vlen=(\\d+)").matcher(dump);
        assertThat(head.find()).as("struct " + name + " in BTF").isTrue();
        assertThat(Integer.parseInt(head.group(1))).as("sizeof(struct " + name + ")").isEqualTo(size);
        Map<String, Integer> offsets = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\t'(\\w+)' type_id=\\d+ bits_offset=(\\d+)").matcher(dump.substring(head.end()));
        for (int i = 0; i < Integer.parseInt(head.group(2)) && m.find(); i++) {
            offsets.put(m.group(1), Integer.parseInt(m.group(2)) / 8);
        }
        return offsets;
    }

    @Test
    void cpuListsAndBufferSizesParse() {
        assertThat(RecordOptions.parseCpuList("0-2,5").stream().toArray()).containsExactly(0, 1, 2, 5);
        assertThat(RecordOptions.defaults().withBufferMb(3).bufferBytes()).isEqualTo(4L << 20);
        assertThat(RecordOptions.defaults().bufferBytes()).isEqualTo(16L << 20);
    }
}
