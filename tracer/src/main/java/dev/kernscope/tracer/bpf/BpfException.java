package dev.kernscope.tracer.bpf;

/**
 * A libbpf or BPF syscall failure, with the errno the kernel or libbpf reported.
 * Immutable and thread-safe.
 */
public class BpfException extends Exception {
    private final int errno;

    public BpfException(String message, int errno) {
        super(errno != 0 ? message + " (errno " + errno + ": " + LibC.strerror(errno) + ")" : message);
        this.errno = errno;
    }

    /** The positive errno value, 0 if none. */
    public int errno() {
        return errno;
    }
}
