package dev.kernscope.tracer.numa;

import dev.kernscope.storage.CpuList;
import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The machine's NUMA layout as sysfs describes it: nodes, their CPUs and memory, the distance matrix and
 * which CPUs are online. Read once at recording start. Immutable and thread-safe.
 *
 * @param nodes     nodes in ascending node number
 * @param distances {@code distances[i][j]} between {@code nodes.get(i)} and {@code nodes.get(j)}
 * @param possible  every possible CPU
 * @param online    CPUs online at read time
 */
public record NumaTopology(List<Node> nodes, int[][] distances, int[] possible, int[] online) {

    /** One node: number, MemTotal in bytes, and its CPUs (ascending). */
    public record Node(int node, long memBytes, int[] cpus) {
        public String cpuList() {
            return CpuList.format(cpus);
        }
    }

    /**
     * Reads the topology under {@code root}. A kernel without {@code /sys/devices/system/node} (built
     * without CONFIG_NUMA) is reported as one node 0 holding every CPU and all of /proc/meminfo's memory.
     */
    public static NumaTopology read(SysRoot root) throws IOException {
        int[] possible = cpuSet(root, "possible");
        int[] online = cpuSet(root, "online");
        if (possible.length == 0) possible = online;
        Path nodeDir = root.nodeDir();
        List<Integer> ids = new ArrayList<>();
        if (Files.isDirectory(nodeDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(nodeDir, "node[0-9]*")) {
                for (Path p : ds) ids.add(Integer.parseInt(p.getFileName().toString().substring(4)));
            }
        }
        ids.sort(null);
        if (ids.isEmpty()) {
            long mem = kb(readOr(root.proc("meminfo"), ""), "MemTotal:");
            return new NumaTopology(List.of(new Node(0, mem, possible)), new int[][] {{10}}, possible, online);
        }
        List<Node> nodes = new ArrayList<>(ids.size());
        int[][] dist = new int[ids.size()][];
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            Path dir = nodeDir.resolve("node" + id);
            int[] cpus = CpuList.parse(readOr(dir.resolve("cpulist"), ""));
            long mem = kb(readOr(dir.resolve("meminfo"), ""), "MemTotal:");
            nodes.add(new Node(id, mem, cpus));
            dist[i] = distanceRow(readOr(dir.resolve("distance"), ""), ids.size(), i);
        }
        return new NumaTopology(List.copyOf(nodes), dist, possible, online);
    }

    /** The node of {@code cpu}, or -1 if no node lists it. */
    public int nodeOf(int cpu) {
        for (Node n : nodes) {
            if (Arrays.binarySearch(n.cpus, cpu) >= 0) return n.node;
        }
        return -1;
    }

    /**
     * A dense CPU → node table for the event decoders (index by CPU number; CPUs no node lists map to 0,
     * which is where the kernel puts them on single-node machines).
     */
    public int[] cpuToNode() {
        int max = 0;
        for (int c : possible) max = Math.max(max, c);
        for (Node n : nodes) for (int c : n.cpus) max = Math.max(max, c);
        int[] table = new int[max + 1];
        for (Node n : nodes) for (int c : n.cpus) table[c] = n.node;
        return table;
    }

    /** Distance from node {@code src} to node {@code dst} (node numbers, not indexes); -1 if unknown. */
    public int distance(int src, int dst) {
        int i = indexOf(src), j = indexOf(dst);
        if (i < 0 || j < 0 || j >= distances[i].length) return -1;
        return distances[i][j];
    }

    private int indexOf(int node) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).node == node) return i;
        return -1;
    }

    /** Writes the cpu, numa_node and numa_distance rows and meta {@code numa_node_count}, {@code cpu_count}. */
    public void write(TraceWriter w) throws IOException {
        int[] table = cpuToNode();
        for (int cpu : possible) {
            w.cpu(cpu, cpu < table.length ? table[cpu] : 0, Arrays.binarySearch(online, cpu) >= 0);
        }
        for (Node n : nodes) w.numaNode(n.node, n.memBytes, n.cpuList());
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = 0; j < nodes.size(); j++) {
                w.numaDistance(nodes.get(i).node, nodes.get(j).node, distances[i][j]);
            }
        }
        w.meta("numa_node_count", Integer.toString(nodes.size()));
        w.meta("cpu_count", Integer.toString(possible.length));
    }

    private static int[] cpuSet(SysRoot root, String which) throws IOException {
        return CpuList.parse(readOr(root.path("sys/devices/system/cpu/" + which), ""));
    }

    /** The row of the distance file; nodes missing from it (offline or hot-plugged later) are 10 or 20. */
    private static int[] distanceRow(String text, int n, int self) {
        String[] parts = text.strip().isEmpty() ? new String[0] : text.strip().split("\\s+");
        int[] row = new int[n];
        for (int j = 0; j < n; j++) {
            row[j] = j < parts.length ? Integer.parseInt(parts[j]) : (j == self ? 10 : 20);
        }
        return row;
    }

    /** The kB value after {@code key} in a meminfo text, in bytes; 0 if absent. */
    static long kb(String meminfo, String key) {
        int at = meminfo.indexOf(key);
        if (at < 0) return 0;
        int i = at + key.length();
        while (i < meminfo.length() && meminfo.charAt(i) == ' ') i++;
        long v = 0;
        while (i < meminfo.length() && Character.isDigit(meminfo.charAt(i))) v = v * 10 + (meminfo.charAt(i++) - '0');
        return v * 1024;
    }

    static String readOr(Path p, String dflt) throws IOException {
        if (!Files.isReadable(p)) return dflt;
        return Files.readString(p);
    }
}
