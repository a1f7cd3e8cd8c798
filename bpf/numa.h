/* Events shared between numa.bpf.c and the Java mirror dev.kernscope.tracer.numa.NumaEvent. */
#ifndef KERNSCOPE_NUMA_H
#define KERNSCOPE_NUMA_H

enum numa_event_type {
	NEV_FAULT = 1,         /* task_numa_fault: pid/tgid = faulting task, nid = mem_node, count = pages, flags = TNF_* */
	NEV_MOVE = 2,          /* sched_move_numa: pid/tgid = task, src_cpu -> dst_cpu */
	NEV_SWAP = 3,          /* sched_swap_numa: pid/tgid = src task, pid2/tgid2 = dst task, src_cpu <-> dst_cpu */
	NEV_STICK = 4,         /* sched_stick_numa: as NEV_SWAP; dst_cpu -1 and pid2 0 when there was no candidate */
	NEV_MIGRATE_PAGES = 5, /* mm_migrate_pages: count = succeeded, count2 = failed, flags = mode, nid = reason */
};

/* One NUMA event. Fixed-width fields, widest first. */
struct numa_event {
	__u64 ts;      /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 count;   /* pages (fault) or pages migrated */
	__u64 count2;  /* pages that failed to migrate */
	__u32 type;    /* enum numa_event_type */
	__u32 cpu;     /* CPU the event fired on */
	__u32 pid;
	__u32 tgid;
	__u32 pid2;
	__u32 tgid2;
	__s32 src_cpu;
	__s32 dst_cpu;
	__s32 nid;     /* fault: memory node; migrate_pages: migrate_reason */
	__u32 flags;   /* fault: TNF_* flags; migrate_pages: migrate_mode */
};

#endif
