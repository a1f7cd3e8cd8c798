// SPDX-License-Identifier: GPL-2.0
/* NUMA recording for kernscope: hinting faults, balancing decisions and page migrations into one ring
 * buffer of struct numa_event. The recorder switches off (autoload) what the kernel lacks: fentry on
 * task_numa_fault needs BTF trampolines and a traceable symbol; tp_btf falls back to raw_tp. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "numa.h"

char LICENSE[] SEC("license") = "GPL";

/* Tunables, set by the recorder before load. */
const volatile __u32 self_tgid = 0;           /* the recorder's own faults are not recorded */
const volatile __u32 targ_tgid = 0;           /* --pid: only this process (0 = all) */
const volatile __u64 wakeup_bytes = 256 << 10; /* wake the consumer once this much is waiting */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} numa_events SEC(".maps");

/* Events the ring buffer could not take, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} numa_lost SEC(".maps");

/* Keeps struct numa_event in the object's BTF, where the Java mirror's layout test reads it. */
struct numa_event *unused_numa_event __attribute__((unused));

static __always_inline struct numa_event *reserve(__u32 type)
{
	struct numa_event *e = bpf_ringbuf_reserve(&numa_events, sizeof(*e), 0);
	if (!e) {
		/* never silent: the recorder writes these counts into lost_events */
		__u32 zero = 0;
		__u64 *cnt = bpf_map_lookup_elem(&numa_lost, &zero);
		if (cnt)
			*cnt += 1;
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	return e;
}

static __always_inline void submit(struct numa_event *e)
{
	/* no wakeup per record (the consumer would trace itself); force one past the fill threshold */
	__u64 flags = bpf_ringbuf_query(&numa_events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

static __always_inline bool tgid_wanted(__u32 tgid)
{
	return (!targ_tgid || tgid == targ_tgid) && (!self_tgid || tgid != self_tgid);
}

/* A hinting fault of the current task: mem_node is where the page is now (after migration if any). */
SEC("fentry/task_numa_fault")
int BPF_PROG(task_numa_fault, int last_cpupid, int mem_node, int pages, int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct numa_event *e;

	if (!tgid_wanted(id >> 32))
		return 0;
	e = reserve(NEV_FAULT);
	if (!e)
		return 0;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->nid = mem_node;
	e->count = pages;
	e->flags = flags;
	submit(e);
	return 0;
}

static __always_inline int on_move(struct task_struct *p, int src_cpu, int dst_cpu)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct numa_event *e;

	if (!tgid_wanted(tgid))
		return 0;
	e = reserve(NEV_MOVE);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(p, pid);
	e->tgid = tgid;
	e->src_cpu = src_cpu;
	e->dst_cpu = dst_cpu;
	submit(e);
	return 0;
}

static __always_inline int on_pair(__u32 type, struct task_struct *src, int src_cpu, struct task_struct *dst, int dst_cpu)
{
	__u32 tgid = BPF_CORE_READ(src, tgid);
	struct numa_event *e;

	if (!tgid_wanted(tgid))
		return 0;
	e = reserve(type);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(src, pid);
	e->tgid = tgid;
	/* stick: there may be no destination task */
	if (dst) {
		e->pid2 = BPF_CORE_READ(dst, pid);
		e->tgid2 = BPF_CORE_READ(dst, tgid);
	}
	e->src_cpu = src_cpu;
	e->dst_cpu = dst_cpu;
	submit(e);
	return 0;
}

SEC("tp_btf/sched_move_numa")
int BPF_PROG(sched_move_numa_btf, struct task_struct *p, int src_cpu, int dst_cpu)
{
	return on_move(p, src_cpu, dst_cpu);
}

SEC("tp_btf/sched_swap_numa")
int BPF_PROG(sched_swap_numa_btf, struct task_struct *src, int src_cpu, struct task_struct *dst, int dst_cpu)
{
	return on_pair(NEV_SWAP, src, src_cpu, dst, dst_cpu);
}

SEC("tp_btf/sched_stick_numa")
int BPF_PROG(sched_stick_numa_btf, struct task_struct *src, int src_cpu, struct task_struct *dst, int dst_cpu)
{
	return on_pair(NEV_STICK, src, src_cpu, dst, dst_cpu);
}

/* raw_tp flavour: fallback where tp_btf does not load (autoload switched by the recorder). */
SEC("raw_tp/sched_move_numa")
int BPF_PROG(sched_move_numa_raw, struct task_struct *p, int src_cpu, int dst_cpu)
{
	return on_move(p, src_cpu, dst_cpu);
}

SEC("raw_tp/sched_swap_numa")
int BPF_PROG(sched_swap_numa_raw, struct task_struct *src, int src_cpu, struct task_struct *dst, int dst_cpu)
{
	return on_pair(NEV_SWAP, src, src_cpu, dst, dst_cpu);
}

SEC("raw_tp/sched_stick_numa")
int BPF_PROG(sched_stick_numa_raw, struct task_struct *src, int src_cpu, struct task_struct *dst, int dst_cpu)
{
	return on_pair(NEV_STICK, src, src_cpu, dst, dst_cpu);
}

/* mm_migrate_pages gained an argument in 6.x (large_folio_split), so read the classic tracepoint's record
 * by field name: CO-RE relocates succeeded/failed/mode/reason on 6.1 and on 6.18 alike. */
SEC("tracepoint/migrate/mm_migrate_pages")
int mm_migrate_pages(struct trace_event_raw_mm_migrate_pages *ctx)
{
	struct numa_event *e = reserve(NEV_MIGRATE_PAGES);

	if (!e)
		return 0;
	e->count = BPF_CORE_READ(ctx, succeeded);
	e->count2 = BPF_CORE_READ(ctx, failed);
	e->flags = BPF_CORE_READ(ctx, mode);
	e->nid = BPF_CORE_READ(ctx, reason);
	submit(e);
	return 0;
}
