package dev.kernscope.tracer.symbols;

/** Binary search over ascending addresses compared as unsigned 64-bit values (kernel addresses are "negative"). Stateless. */
final class AddressIndex {
    private AddressIndex() {}

    /** Index of the last address in {@code sorted} at or below {@code ip}, or -1 when all lie above it. */
    static int floor(long[] sorted, long ip) {
        int lo = 0, hi = sorted.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(sorted[mid], ip) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
