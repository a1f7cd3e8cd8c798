package dev.kernscope.tracer.stacks;

import java.io.IOException;

/**
 * The recorder's thread and process identities, as the scheduler model keeps them: a stack sample needs the
 * utid of its thread and the upid of its process at the sample's time. Called on the writer thread only.
 */
public interface ThreadIds {
    /** The utid of thread {@code tid} of process {@code tgid} at {@code ts}, creating the thread if unknown. */
    int utid(int tid, int tgid, long ts) throws IOException;

    /** The upid of process {@code pid} at {@code ts}, creating it if unknown; 0 for pid 0. */
    int upid(int pid, long ts) throws IOException;
}
