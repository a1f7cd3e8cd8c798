package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SliceStateTest {
    @Test
    void theStateWordsOfTheBundledSampleSayWhatTheThreadDid() {
        // every end_state the bundled sample recording holds (kernel 6.18), and what happened next in it
        assertThat(SliceState.of(-1).word()).isEqualTo("running");
        assertThat(SliceState.of(0).word()).isEqualTo("runnable");
        assertThat(SliceState.of(1).word()).isEqualTo("sleeping");
        assertThat(SliceState.of(2).word()).isEqualTo("uninterruptible");
        assertThat(SliceState.of(0x102).word()).as("TASK_KILLABLE").isEqualTo("uninterruptible");
        assertThat(SliceState.of(0x402).word()).as("TASK_IDLE").isEqualTo("idle");
        // all 15 threads switched out while TASK_WAKING ran again later: they were being woken, not gone
        assertThat(SliceState.of(0x200).word()).isEqualTo("runnable");
        // none of the 26 threads switched out with TASK_DEAD ran again
        assertThat(SliceState.of(0x80).word()).isEqualTo("exited");
        assertThat(SliceState.of(0x4).word()).isEqualTo("stopped");
        assertThat(SliceState.of(0x40).word()).isEqualTo("parked");
        assertThat(SliceState.of(-7).word()).isEqualTo("unknown");
    }
}
