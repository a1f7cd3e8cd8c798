package dev.kernscope.app.cli;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.TraceReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What {@code --thread NAME|TID} names: the thread lifetimes with that tid, or with that (current) name. Stateless. */
final class ThreadChoice {
    private ThreadChoice() {}

    /**
     * The utids {@code spec} names among the threads alive in [from, to); with {@code one}, exactly one: a tid
     * reused in the window means its latest lifetime, a name shared by several threads is refused.
     */
    static int[] utids(TraceReader r, String spec, long from, long to, boolean one) throws IOException {
        String s = spec.strip();
        boolean byTid = !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10;
        List<Model.Thread> hits = new ArrayList<>();
        for (Model.Thread t : r.threads()) {
            boolean alive = (t.startTs() == null || t.startTs() < to) && (t.endTs() == null || t.endTs() >= from);
            if (alive && (byTid ? t.tid() == Integer.parseInt(s) : s.equals(t.name()))) hits.add(t);
        }
        if (hits.isEmpty()) {
            throw new IllegalArgumentException("no thread " + (byTid ? "with tid " : "named '") + s + (byTid ? "" : "'")
                    + " in the trace's window");
        }
        if (one && hits.size() > 1) {
            if (byTid) return new int[] {hits.get(hits.size() - 1).utid()};
            StringBuilder tids = new StringBuilder();
            for (int i = 0; i < hits.size() && i < 8; i++) tids.append(i == 0 ? "" : ", ").append(hits.get(i).tid());
            throw new IllegalArgumentException(hits.size() + " threads are named '" + s + "' (tids " + tids
                    + (hits.size() > 8 ? ", ..." : "") + "): give a tid");
        }
        return hits.stream().mapToInt(Model.Thread::utid).toArray();
    }
}
