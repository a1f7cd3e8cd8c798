package dev.kernscope.tracer.symbols;

import dev.kernscope.storage.TraceWriter;

/** The frame kinds of {@code frame.kind}, named locally to keep the symbolizer's code short. */
final class FrameKinds {
    static final int KERNEL = TraceWriter.FRAME_KERNEL;
    static final int USER = TraceWriter.FRAME_USER;
    static final int JIT = TraceWriter.FRAME_JIT;
    static final int UNKNOWN = TraceWriter.FRAME_UNKNOWN;

    private FrameKinds() {}
}
