package dev.kernscope.tracer.stacks;

import java.io.IOException;

/**
 * Told by the scheduler model when a process lifetime (upid) begins and when a process execs, so that its
 * mappings are captured while they can still be read. Called on the writer thread only.
 */
public interface ProcessListener {
    void processSeen(int upid, int pid, long ts) throws IOException;

    void processExec(int upid, int pid, long ts) throws IOException;
}
