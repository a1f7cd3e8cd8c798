-- kernscope trace file (.ktrace), schema version 1.
-- Conventions (Perfetto's): ts and dur are int64 nanoseconds on the clock named in meta('clock');
-- threads are keyed by utid and processes by upid because the kernel reuses tids and pids;
-- tables whose name starts with '_' are derived helpers that readers may rebuild.
-- Every statement ends with ';' on its own line end: the loader splits on that.

-- Key/value facts about the recording. Keys: schema_version, application ('kernscope'), kernscope_version,
-- hostname, kernel_release, cpu_count, numa_node_count, clock, start_ts, end_ts, end_reason, cmdline,
-- synthetic, and feature.* flags written by the recorder: feature.numa_balancing (on/off/absent),
-- feature.numa_balancing_mode, feature.sched_numa_tracepoints and feature.mm_migrate_pages
-- (present/absent/recorded), feature.btf, feature.task_numa_fault (fentry/absent). A feature that is absent
-- means "not measured", never zero.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY, -- name of the fact
  value TEXT              -- its value, as text
);

-- One row per possible CPU of the traced machine.
CREATE TABLE cpu (
  cpu    INTEGER PRIMARY KEY, -- logical CPU number
  node   INTEGER NOT NULL,    -- NUMA node the CPU belongs to
  online INTEGER NOT NULL     -- 1 if the CPU was online when the recording started
);

-- One row per NUMA node.
CREATE TABLE numa_node (
  node      INTEGER PRIMARY KEY, -- node number (sysfs nodeN)
  mem_bytes INTEGER NOT NULL,    -- MemTotal of the node, bytes
  cpus      TEXT NOT NULL        -- CPU list of the node in sysfs cpulist form, e.g. '0-3,8'
);

-- Node distance matrix as the kernel reports it (10 = local).
CREATE TABLE numa_distance (
  src      INTEGER NOT NULL, -- from node
  dst      INTEGER NOT NULL, -- to node
  distance INTEGER NOT NULL, -- relative distance (SLIT)
  PRIMARY KEY (src, dst)
) WITHOUT ROWID;

-- A process lifetime: a pid that is reused later gets a new upid.
CREATE TABLE process (
  upid        INTEGER PRIMARY KEY, -- surrogate key of this process lifetime
  pid         INTEGER NOT NULL,    -- kernel tgid
  name        TEXT,                -- latest comm of the main thread (exec changes it)
  cmdline     TEXT,                -- /proc/PID/cmdline at first sight, NULs as spaces
  parent_upid INTEGER,             -- upid of the parent when known
  start_ts    INTEGER,             -- first seen (fork time, or recording start for pre-existing processes)
  end_ts      INTEGER              -- exit time, NULL while alive
);

-- A thread lifetime: a tid that is reused later gets a new utid.
CREATE TABLE thread (
  utid     INTEGER PRIMARY KEY, -- surrogate key of this thread lifetime
  tid      INTEGER NOT NULL,    -- kernel pid of the task
  upid     INTEGER,             -- process it belongs to, NULL if unknown (e.g. kernel threads seen before /proc)
  name     TEXT,                -- latest comm
  start_ts INTEGER,             -- first seen
  end_ts   INTEGER              -- exit time, NULL while alive
);

-- Name history: one row each time a thread got a (new) comm, from /proc at start, fork, exec or rename.
CREATE TABLE thread_name (
  utid INTEGER NOT NULL, -- the thread
  ts   INTEGER NOT NULL, -- when the name took effect
  name TEXT NOT NULL     -- the comm from then on
);

-- One row per time a thread ran on a CPU (switch-in to switch-out), in the order the recorder closed them.
-- The relational form, for SQL; viewers read the packed per-CPU copy in _slice_chunk.
CREATE TABLE sched_slice (
  ts        INTEGER NOT NULL, -- switch-in time
  dur       INTEGER NOT NULL, -- running time until switch-out (or until recording end)
  cpu       INTEGER NOT NULL, -- CPU it ran on
  utid      INTEGER NOT NULL, -- the thread that ran
  end_state INTEGER NOT NULL, -- prev_state at switch-out: 0 = still runnable (preempted), 1 = S, 2 = D,
                              -- other kernel TASK_* bits as recorded; -1 = still running at recording end
  prio      INTEGER NOT NULL  -- kernel prio while running (0..139; 120 = nice 0)
);

-- The slices of each CPU in start order, packed 256 to a row, so that a viewport or a window summary reads a
-- few BLOBs instead of thousands of rows, during the recording (no secondary index needed) and after it.
CREATE TABLE _slice_chunk (
  cpu    INTEGER NOT NULL, -- CPU
  ts     INTEGER NOT NULL, -- start of the chunk's first slice
  end_ts INTEGER NOT NULL, -- latest end of the chunk's slices
  n      INTEGER NOT NULL, -- slices in the chunk
  data   BLOB NOT NULL,    -- n little-endian entries of 24 bytes: ts i64, dur i64, utid i32, end_state i16, prio i16
  UNIQUE (cpu, ts)        -- a rowid table keeps each BLOB on the table's own pages (WITHOUT ROWID would spill it)
);

-- Level-of-detail mipmap of sched_slice (Perfetto's idea): for level L the bucket width is 4^L * 32768 ns;
-- one entry merges all slices of one CPU that start in one bucket. Entries are packed 128 to a row so that a
-- viewport reads a few BLOBs instead of thousands of rows.
CREATE TABLE _slice_lod (
  level INTEGER NOT NULL, -- bucket width = 32768 << (2 * level) ns
  cpu   INTEGER NOT NULL, -- CPU
  ts    INTEGER NOT NULL, -- start of the chunk's first entry
  n     INTEGER NOT NULL, -- entries in the chunk
  data  BLOB NOT NULL,    -- n little-endian entries of 32 bytes: ts i64 (start of the first merged slice),
                          -- dur i64 (end of the last merged slice minus ts), busy i64 (summed running time),
                          -- utid i32 (thread of the longest merged slice), cnt i32 (slices merged)
  UNIQUE (level, cpu, ts)  -- one chunk per key; a provisional chunk is replaced under the same key
);

-- Runnable intervals: a thread becomes runnable (wakeup, new task, or preempted while runnable) and
-- later runs. Wakeup->run latency is run_ts - ts.
CREATE TABLE wakeup (
  ts         INTEGER NOT NULL, -- when it became runnable
  utid       INTEGER NOT NULL, -- the thread woken
  waker_utid INTEGER,          -- the thread that woke it (NULL for preemption or unknown, e.g. interrupts)
  target_cpu INTEGER NOT NULL, -- CPU it was queued on
  run_ts     INTEGER,          -- when it next switched in; NULL if it never ran before the recording ended
  run_cpu    INTEGER,          -- CPU it then ran on
  reason     INTEGER NOT NULL  -- 0 = sched_wakeup, 1 = sched_wakeup_new, 2 = preempted (still runnable at switch-out)
);

-- Task migrations between CPUs (sched_migrate_task).
CREATE TABLE migration (
  ts       INTEGER NOT NULL, -- when it was moved
  utid     INTEGER NOT NULL, -- the thread
  orig_cpu INTEGER NOT NULL, -- from
  dest_cpu INTEGER NOT NULL  -- to
);

-- Run-queue length per CPU, sampled when it changes (or periodically).
CREATE TABLE runq_sample (
  ts  INTEGER NOT NULL, -- sample time
  cpu INTEGER NOT NULL, -- CPU
  len INTEGER NOT NULL  -- runnable tasks queued on the CPU, including the running one
);

-- Level-of-detail mipmap of runq_sample, bucketed like _slice_lod: one entry per bucket holding samples.
CREATE TABLE _runq_lod (
  level INTEGER NOT NULL, -- bucket width = 32768 << (2 * level) ns
  cpu   INTEGER NOT NULL, -- CPU
  ts    INTEGER NOT NULL, -- time of the chunk's first entry
  n     INTEGER NOT NULL, -- entries in the chunk
  data  BLOB NOT NULL,    -- n little-endian entries of 16 bytes: ts i64 (first sample in the bucket),
                          -- max i32 (longest queue in the bucket), last i32 (length in force after the bucket)
  UNIQUE (level, cpu, ts)  -- one chunk per key; a provisional chunk is replaced under the same key
);

-- Events that could not be recorded. Never silent: every loss is a row.
CREATE TABLE lost_events (
  ts     INTEGER NOT NULL, -- when the loss was noticed (end of the interval it covers)
  cpu    INTEGER NOT NULL, -- CPU whose events were lost, -1 if unknown
  source TEXT NOT NULL,    -- what lost them: 'ringbuf', 'stack_map', 'stack_truncated', ...
  count  INTEGER NOT NULL  -- how many
);

-- Interned stack frames, symbolized by the recorder.
CREATE TABLE frame (
  id     INTEGER PRIMARY KEY, -- frame id
  name   TEXT NOT NULL,       -- function name, or 'module+0xoffset' when unresolved
  module TEXT,                -- binary or '[kernel]' / '[jit]'
  kind   INTEGER NOT NULL,    -- 0 = kernel, 1 = user, 2 = JIT, 3 = unknown
  rel_pc INTEGER              -- address relative to the module (for unresolved frames and re-symbolization)
);

-- The linker's names of frames whose name was demangled (C++, Rust): what the binary calls them, for search and
-- re-symbolization. Absent from traces written before demangling.
CREATE TABLE frame_mangled (
  frame_id INTEGER PRIMARY KEY, -- frame.id
  mangled  TEXT NOT NULL        -- the symbol as the binary spells it, e.g. '_ZN2ns6Worker4spinEv'
);

-- Interned call stacks as (parent, frame) chains: the root frame (outermost caller) has parent_id NULL.
CREATE TABLE stack (
  id        INTEGER PRIMARY KEY, -- stack id; identifies the whole chain from root to this frame
  parent_id INTEGER,             -- stack id of the caller chain, NULL at the root
  frame_id  INTEGER NOT NULL,    -- innermost frame of this chain
  depth     INTEGER NOT NULL     -- 0 at the root
);

-- Stack samples: on-CPU (timer) and off-CPU (blocked interval) weights.
CREATE TABLE stack_sample (
  ts             INTEGER NOT NULL, -- on-CPU: sample time; off-CPU: when the thread blocked
  utid           INTEGER NOT NULL, -- the thread
  cpu            INTEGER NOT NULL, -- CPU it ran on (on-CPU) or blocked on (off-CPU)
  stack_id       INTEGER,          -- leaf stack id (kernel frames below user frames), NULL if none was captured
  kind           INTEGER NOT NULL, -- 0 = on-CPU sample, 1 = off-CPU block
  weight         INTEGER NOT NULL, -- ns: sampling period for on-CPU, blocked time for off-CPU
  waker_utid     INTEGER,          -- off-CPU: thread that woke it, when known
  waker_stack_id INTEGER           -- off-CPU: the waker's stack at the wakeup, when captured
);

-- Per-node counters over time (numastat, node meminfo, vmstat NUMA counters). Stored as raw value and delta.
CREATE TABLE numa_counter (
  ts    INTEGER NOT NULL, -- sample time
  node  INTEGER NOT NULL, -- node, -1 for machine-wide counters (/proc/vmstat)
  name  TEXT NOT NULL,    -- counter name as the kernel spells it (numa_hit, other_node, MemFree, numa_pages_migrated, ...)
  value INTEGER NOT NULL, -- raw value (pages, or bytes for meminfo)
  delta INTEGER NOT NULL, -- change since the previous sample of the same counter (0 for the first)
  rate  REAL NOT NULL     -- delta per second
);

-- NUMA hinting faults (task_numa_fault): which thread touched memory on which node from which node.
CREATE TABLE numa_fault (
  ts       INTEGER NOT NULL, -- fault time
  utid     INTEGER NOT NULL, -- faulting thread
  cpu      INTEGER NOT NULL, -- CPU it ran on
  cpu_node INTEGER NOT NULL, -- node of that CPU
  mem_node INTEGER NOT NULL, -- node of the memory (destination node if the page was migrated)
  pages    INTEGER NOT NULL, -- pages covered by the fault
  flags    INTEGER NOT NULL  -- kernel TNF_* flags (TNF_MIGRATED = 0x01, ...)
);

-- NUMA balancing decisions (sched_move_numa, sched_swap_numa, sched_stick_numa).
CREATE TABLE numa_decision (
  ts      INTEGER NOT NULL, -- when
  kind    TEXT NOT NULL,    -- 'move', 'swap' or 'stick'
  utid    INTEGER,          -- task concerned
  src_cpu INTEGER,          -- source CPU
  src_nid INTEGER,          -- source node
  dst_cpu INTEGER,          -- destination CPU (-1 if none)
  dst_nid INTEGER           -- destination node (-1 if none)
);

-- Page migrations (migrate:mm_migrate_pages).
CREATE TABLE page_migration (
  ts        INTEGER NOT NULL, -- when
  succeeded INTEGER NOT NULL, -- pages migrated
  failed    INTEGER NOT NULL, -- pages that failed
  reason    INTEGER NOT NULL, -- kernel migrate_reason (MR_NUMA_MISPLACED = 5 on 6.x)
  mode      INTEGER NOT NULL  -- kernel migrate_mode
);

-- Resident pages per node of the busiest processes (/proc/PID/numa_maps), sampled.
CREATE TABLE process_numa_pages (
  ts    INTEGER NOT NULL, -- sample time
  upid  INTEGER NOT NULL, -- process
  node  INTEGER NOT NULL, -- node
  pages INTEGER NOT NULL  -- pages resident on that node, in 4 KiB units (huge pages scaled up)
);

-- What tracing cost, over time: the recorder's own CPU and memory.
CREATE TABLE tracer_cost (
  ts          INTEGER NOT NULL, -- sample time
  cpu_time_ns INTEGER NOT NULL, -- cumulative CPU time (user + system) of the recorder process
  rss_bytes   INTEGER NOT NULL, -- resident set size of the recorder
  events      INTEGER NOT NULL, -- cumulative events decoded
  lost        INTEGER NOT NULL  -- cumulative events lost
);

-- What tracing cost, over time: in-kernel run time of each BPF program (kernel.bpf_stats_enabled).
CREATE TABLE bpf_prog_stats (
  ts          INTEGER NOT NULL, -- sample time
  prog        TEXT NOT NULL,    -- program name
  run_time_ns INTEGER NOT NULL, -- cumulative run time
  run_cnt     INTEGER NOT NULL  -- cumulative invocations
);

-- Captured /proc/kallsyms and process maps so that the file symbolizes the same elsewhere.
CREATE TABLE mapping (
  upid     INTEGER NOT NULL, -- process (0 for the kernel)
  ts       INTEGER NOT NULL, -- when captured
  start    INTEGER NOT NULL, -- start address
  end      INTEGER NOT NULL, -- end address
  pgoff    INTEGER NOT NULL, -- file offset of start
  path     TEXT,             -- mapped file
  build_id TEXT              -- GNU build-id, hex, when the file has one
);
