package dev.kernscope.tracer.numa;

import java.nio.ByteBuffer;

/** Child process for the host tests: touches N MiB of direct memory, prints "ready", waits for stdin EOF. */
public final class TouchChild {
    private TouchChild() {}

    public static void main(String[] args) throws Exception {
        int mb = Integer.parseInt(args[0]);
        ByteBuffer buf = ByteBuffer.allocateDirect(mb << 20);
        for (int i = 0; i < buf.capacity(); i += 4096) buf.put(i, (byte) 1);
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the memory until the parent closes our stdin
        }
    }
}
