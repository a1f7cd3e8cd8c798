package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Any failure while reading a trace reads as one line: errors included, control characters flattened. */
class TraceFormatExceptionTest {
    @Test
    void everyThrowableIsOneLine() {
        assertThat(TraceFormatException.oneLine(new OutOfMemoryError("Java heap space")))
                .startsWith("ran out of memory reading the trace");
        assertThat(TraceFormatException.oneLine(new StackOverflowError())).isEqualTo("this trace is damaged: reading it nested too deeply");
        assertThat(TraceFormatException.oneLine(new TraceFormatException("t.ktrace is damaged: x\nat y")))
                .isEqualTo("t.ktrace is damaged: x at y");
        assertThat(TraceFormatException.oneLine(new IOException("disk gone"))).isEqualTo("disk gone");
        assertThat(TraceFormatException.oneLine(new ArrayIndexOutOfBoundsException("Index 9 out of bounds for length 2")))
                .isEqualTo("cannot read the trace (ArrayIndexOutOfBoundsException: Index 9 out of bounds for length 2); it may be damaged");
        assertThat(TraceFormatException.oneLine(new IllegalStateException("x".repeat(1000)))).hasSize(301);
    }
}
