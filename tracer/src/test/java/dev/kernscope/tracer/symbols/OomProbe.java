package dev.kernscope.tracer.symbols;

/**
 * The forked side of {@code HostileInputTest.outOfMemoryWhileSymbolizingCostsOnlyThatProcess}: symbolizes one
 * address of a process mapping a file too large for this JVM's heap, then one of a well-behaved process, and
 * prints both names and the failure count.
 */
public final class OomProbe {
    private OomProbe() {}

    public static void main(String[] a) throws Exception {
        Symbolizer sym = new Symbolizer();
        int pid = Integer.parseInt(a[0]), other = Integer.parseInt(a[2]);
        String hostile = sym.resolveUser(sym.capture(pid), pid, Long.parseLong(a[1])).name();
        String ok = sym.resolveUser(sym.capture(other), other, Long.parseLong(a[3])).name();
        System.out.println("hostile=" + hostile + " other=" + ok + " failures=" + sym.failures());
    }
}
