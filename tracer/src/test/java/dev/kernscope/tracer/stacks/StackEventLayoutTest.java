package dev.kernscope.tracer.stacks;

import dev.kernscope.tracer.KernelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Java mirror of struct stack_event matches the compiled object's BTF, so C and Java cannot drift. */
class StackEventLayoutTest {
    @Test
    void offsetsMatchTheCompiledObject(@TempDir Path dir) throws Exception {
        assumeTrue(KernelTestSupport.onPath("bpftool"), "needs bpftool to dump the object's BTF");
        Path obj = dir.resolve("stacks.bpf.o");
        try (InputStream in = StackRecorder.class.getResourceAsStream("/dev/kernscope/tracer/bpf/stacks.bpf.o")) {
            assertThat(in).as("stacks.bpf.o in the tracer's classes").isNotNull();
            Files.copy(in, obj);
        }
        String dump = KernelTestSupport.run("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw");
        Matcher head = Pattern.compile("STRUCT 'stack_event' size=(\\d+) vlen=(\\d+)").matcher(dump);
        assertThat(head.find()).as("struct stack_event in BTF").isTrue();
        Map<String, Integer> offsets = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\t'(\\w+)' type_id=\\d+ bits_offset=(\\d+)").matcher(dump.substring(head.end()));
        for (int i = 0; i < Integer.parseInt(head.group(2)) && m.find(); i++) {
            offsets.put(m.group(1), Integer.parseInt(m.group(2)) / 8);
        }
        assertThat(Integer.parseInt(head.group(1))).isEqualTo(StackEvent.SIZE);
        assertThat(offsets).containsExactly(
                Map.entry("ts", StackEvent.TS), Map.entry("weight", StackEvent.WEIGHT), Map.entry("kind", StackEvent.KIND),
                Map.entry("cpu", StackEvent.CPU), Map.entry("pid", StackEvent.PID), Map.entry("tgid", StackEvent.TGID),
                Map.entry("waker_pid", StackEvent.WAKER_PID), Map.entry("waker_tgid", StackEvent.WAKER_TGID),
                Map.entry("nk", StackEvent.NK), Map.entry("nu", StackEvent.NU), Map.entry("nwk", StackEvent.NWK),
                Map.entry("flags", StackEvent.FLAGS), Map.entry("ips", StackEvent.IPS));
    }

    @Test
    void perfAttrAsksForCpuClockInFrequencyMode() {
        var a = StackRecorder.perfAttr(99);
        assertThat(a.getInt(0)).isEqualTo(1);   // PERF_TYPE_SOFTWARE
        assertThat(a.getInt(4)).isEqualTo(128); // attr size
        assertThat(a.getLong(8)).isZero();      // PERF_COUNT_SW_CPU_CLOCK
        assertThat(a.getLong(16)).isEqualTo(99);
        assertThat(a.getLong(40) & (1L << 10)).as("freq bit").isNotZero();
    }

    @Test
    void optionsValidate() {
        assertThat(StackOptions.defaults().withMinBlockUs(250).minBlockNs()).isEqualTo(250_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StackOptions.defaults().withFreq(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
