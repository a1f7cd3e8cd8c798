// SPDX-License-Identifier: GPL-2.0
/* What a scheduler tracer cannot avoid paying on this machine: programs for the overhead floor benchmark
 * (floor.sh). Each variant attaches to sched_switch and sched_wakeup only, the two that fire under
 * perf bench sched pipe. Not shipped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct ev {
	__u64 ts;
	__u32 pid;
	__u16 type;
	__u16 cpu;
	__u32 tgid;
	__u32 pid2;
	__u32 tgid2;
	__u16 a0;
	__u8 a1;
	__u8 a2;
};

#define N 126
struct buf {
	struct ev hdr;
	struct ev e[N];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct buf);
} bufs SEC(".maps");

static __always_inline void fill(struct ev *e, struct task_struct *a, struct task_struct *b, int t)
{
#ifndef NO_TS
	e->ts = bpf_ktime_get_ns();
#endif
#ifndef TS_ONLY
	e->type = t;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = a->pid;
	e->tgid = a->tgid;
	e->pid2 = b->pid;
	e->tgid2 = b->tgid;
	e->a0 = a->__state;
	e->a1 = a->prio;
	e->a2 = b->prio;
#endif
}

#ifdef PER_EVENT
/* one ring buffer record per event */
static __always_inline void put(struct task_struct *a, struct task_struct *b, int t)
{
	struct ev *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return;
	fill(e, a, b, t);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}
#else
/* per-CPU batches of N events, one record per batch */
static __always_inline void put(struct task_struct *a, struct task_struct *b, int t)
{
	__u32 zero = 0, n;
	struct buf *bf = bpf_map_lookup_elem(&bufs, &zero);

	if (!bf)
		return;
	n = bf->hdr.pid;
	if (n >= N)
		n = 0;
	fill(&bf->e[n], a, b, t);
	if (++n == N) {
		bpf_ringbuf_output(&events, bf, sizeof(*bf), BPF_RB_NO_WAKEUP);
		n = 0;
	}
	bf->hdr.pid = n;
}
#endif

SEC("tp_btf/sched_switch")
int BPF_PROG(sw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
#ifndef EMPTY
	put(prev, next, 1);
#endif
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wk, struct task_struct *p)
{
#ifndef EMPTY
	put(p, bpf_get_current_task_btf(), 2);
#endif
	return 0;
}
