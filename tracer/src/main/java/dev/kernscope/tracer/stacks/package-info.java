/**
 * Stack recording: {@code bpf/stacks.bpf.c} samples on-CPU stacks from a cpu-clock perf event per CPU and
 * off-CPU stacks of blocked intervals (switch-out to switch-in, with the waker), into a ring buffer of
 * variable-size records; {@link dev.kernscope.tracer.stacks.StackRecorder} drains it and, on the recorder's
 * writer thread, interns the stacks through {@link dev.kernscope.tracer.symbols.StackInterner} into
 * {@code stack_sample} rows. Why it is built this way: {@code docs/ARCHITECTURE.md}, "Recording stacks".
 */
package dev.kernscope.tracer.stacks;
