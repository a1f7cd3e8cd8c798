package dev.kernscope.tracer.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemanglerTest {
    @Test
    void corpusDemanglesAsCxxfiltAndRustcDemangle() throws Exception {
        assertThat(Demangler.get().cxxAvailable()).as("libstdc++ loads").isTrue();
        List<String> wrong = new ArrayList<>();
        int n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                DemanglerTest.class.getResourceAsStream("demangle-corpus.tsv"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t", 2);
                String got = Demangler.get().demangle(f[0]);
                if (!got.equals(f[1])) wrong.add(f[0] + "\n   want " + f[1] + "\n   got  " + got);
                n++;
            }
        }
        assertThat(n).isGreaterThan(250);
        assertThat(wrong).isEmpty();
    }

    @Test
    void hostileNamesStayAsTheyAreOrAreBounded() {
        // Longer than the cap: not handed to the C demangler at all.
        String huge = "_ZN" + "1a".repeat(Demangler.MAX_MANGLED) + "E";
        assertThat(Demangler.get().demangle(huge)).isEqualTo(huge);
        // Deep nesting of v0 types: bounded depth, no StackOverflowError.
        String deep = "_RINvC1a3foo" + "R".repeat(3000) + "hE";
        assertThat(Demangler.get().demangle(deep)).isEqualTo(deep);
        // A backreference to itself or forwards is refused instead of looping.
        assertThat(Demangler.get().demangle("_RNvB0_1a")).isEqualTo("_RNvB0_1a");
        assertThat(Demangler.get().demangle("_RNvBz_1a")).isEqualTo("_RNvBz_1a");
        // Template back-references that expand: whatever comes back is capped.
        String expand = "_Z1fIJ" + "S_".repeat(200) + "EEvv";
        assertThat(Demangler.get().demangle(expand).length()).isLessThanOrEqualTo(Demangler.MAX_DEMANGLED + 1);
        assertThat(Demangler.get().timeouts()).isZero();
    }
}
