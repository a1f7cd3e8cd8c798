// SPDX-License-Identifier: GPL-2.0
/* Stack sampling for kernscope: on-CPU (cpu-clock perf events) and off-CPU (blocked intervals), one ring
 * buffer of variable-size struct stack_event records. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "stacks.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_INTERRUPTIBLE 0x1
#define TASK_DEAD 0x80
#define PF_KTHREAD 0x00200000

/* Tunables, set by the recorder before load. */
const volatile __u32 self_tgid = 0;          /* the recorder: never sampled */
const volatile __u32 targ_tgid = 0;          /* --pid: only this process (0 = all) */
const volatile bool filter_cpus = false;
const volatile __u64 cpu_mask[STACK_MAX_CPUS / 64] = {};
const volatile __u64 min_block_ns = 1000000; /* --min-block-us: shorter blocks are not emitted */
const volatile bool off_cpu = true;          /* false: the sched programs are loaded but do nothing */
const volatile __u64 wakeup_bytes = 1 << 20; /* wake the consumer once this much is waiting */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} stack_events SEC(".maps");

/* enum stack_counter, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* A thread's current (or last) blocked interval. Entries live as long as the thread (deleted at exit),
 * so a thread pays the insert once, not per block; ts == 0 while it is not blocked.
 *
 * With tp_btf the user stack of a block is read only once the block turned out long: the thread is switched
 * in with its block pending (pend_ts), and the next time it leaves a syscall with the user registers it
 * blocked with (uip, usp) the program on sys_exit, in its own context, takes its user stack and emits the
 * sample. The many short blocks never pay for a user stack walk. */
struct blocked {
	__u64 ts;          /* switch-out time, 0 when not blocked */
	__u64 pend_ts;     /* a long block's switch-out time while its user stack is awaited, else 0 */
	__u64 pend_weight; /* its switch-out to switch-in */
	__u64 uip;         /* user ip and sp at switch-out (tp_btf): the syscall it blocked in */
	__u64 usp;
	__u32 tgid;
	__u32 cpu;
	__u32 waker_pid;
	__u32 waker_tgid;
	__u32 nk;          /* raw_tp: read at switch-out; tp_btf: at switch-in */
	__u32 nu;
	__u32 nwk;
	__u32 flags;
	__u64 kips[MAX_DEPTH];
	__u64 uips[MAX_DEPTH];
	__u64 wkips[MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* memory for the threads seen blocking, not for max_entries */
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct blocked);
} blocked SEC(".maps");

/* Staging for records (slot 0 perf_event, slot 1 sched_switch, sys_exit and sched_process_exit: these run
 * with preemption off and never nest on a CPU; only the perf_event interrupt can come in between) and the
 * all-zero value a thread's first block inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct stack_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct blocked);
} blocked_zero SEC(".maps");

/* The thread switched in last on this CPU with a pending block: sys_exit compares one word before it
 * looks anything up (it fires for every syscall of every thread). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} resumed SEC(".maps");

/* Keeps struct stack_event in the object's BTF, where the Java mirror's layout test reads it. */
struct stack_event *unused_stack_event __attribute__((unused));

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);
	if (c)
		*c += 1;
}

static __always_inline bool wanted(__u32 tgid, __u32 cpu)
{
	if (self_tgid && tgid == self_tgid)
		return false;
	if (targ_tgid && tgid != targ_tgid)
		return false;
	return !filter_cpus || cpu_in_mask(cpu_mask, STACK_MAX_CPUS / 64, cpu);
}

/* bpf_get_stack's byte count as a frame count in 0..MAX_DEPTH (errors: no frames). */
static __always_inline __u32 frames(long bytes)
{
	if (bytes <= 0)
		return 0;
	bytes /= sizeof(__u64);
	return bytes > MAX_DEPTH ? MAX_DEPTH : bytes;
}

static __always_inline void emit(struct stack_event *e)
{
	__u64 n = e->nk + e->nu + e->nwk, flags;

	if (e->flags)
		count(CNT_TRUNCATED);
	if (n > 3 * MAX_DEPTH)
		n = 3 * MAX_DEPTH;
	/* no wakeup per record (the consumer would trace itself); force one past the fill threshold */
	flags = bpf_ringbuf_query(&stack_events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	/* only the ips taken: bpf_ringbuf_output copies a bounded, variable size */
	if (bpf_ringbuf_output(&stack_events, e, STACK_EVENT_HDR + n * sizeof(__u64), flags))
		count(CNT_RINGBUF);
}

/* On-CPU: the interrupted thread's kernel stack (empty if it was in user mode) and user stack. */
SEC("perf_event")
int on_cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id, tgid = id >> 32, cpu = bpf_get_smp_processor_id(), zero = 0, nk, nu;
	struct stack_event *e;

	if (pid == 0 || !wanted(tgid, cpu)) /* idle is not a stack worth a sample */
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->weight = ctx->sample_period; /* cpu-clock counts ns, so the period is the time the sample stands for */
	e->kind = STACK_ON_CPU;
	e->cpu = cpu;
	e->pid = pid;
	e->tgid = tgid;
	e->waker_pid = 0;
	e->waker_tgid = 0;
	nk = frames(bpf_get_stack(ctx, e->ips, MAX_DEPTH * sizeof(__u64), 0));
	nu = frames(bpf_get_stack(ctx, &e->ips[nk], MAX_DEPTH * sizeof(__u64), BPF_F_USER_STACK));
	e->nk = nk;
	e->nu = nu;
	e->nwk = 0;
	e->flags = (nk == MAX_DEPTH ? STACK_F_KERNEL_TRUNC : 0) | (nu == MAX_DEPTH ? STACK_F_USER_TRUNC : 0);
	emit(e);
	return 0;
}

/* Emits a long block whose kernel stack (and waker's) is in b, with the current thread's user stack if
 * `user` (the caller runs in that thread's context, back at the syscall it blocked in). */
static __always_inline void emit_pending(void *ctx, struct blocked *b, __u32 pid, bool user)
{
	__u32 one = 1, nk, nu, nwk;
	struct stack_event *e = bpf_map_lookup_elem(&scratch, &one);

	if (!e)
		return;
	e->ts = b->pend_ts;
	e->weight = b->pend_weight;
	e->kind = STACK_OFF_CPU;
	e->cpu = b->cpu;
	e->pid = pid;
	e->tgid = b->tgid;
	e->waker_pid = b->waker_pid;
	e->waker_tgid = b->waker_tgid;
	e->flags = b->flags;
	b->pend_ts = 0;
	nk = b->nk;
	if (nk > MAX_DEPTH)
		nk = MAX_DEPTH;
	bpf_probe_read_kernel(e->ips, nk * sizeof(__u64), b->kips);
	nu = user ? frames(bpf_get_stack(ctx, &e->ips[nk], MAX_DEPTH * sizeof(__u64), BPF_F_USER_STACK)) : 0;
	if (nu == MAX_DEPTH)
		e->flags |= STACK_F_USER_TRUNC;
	nwk = b->nwk;
	if (nwk > MAX_DEPTH)
		nwk = MAX_DEPTH;
	bpf_probe_read_kernel(&e->ips[nk + nu], nwk * sizeof(__u64), b->wkips);
	e->nk = nk;
	e->nu = nu;
	e->nwk = nwk;
	emit(e);
}

/* Switch-out into a blocking state: remember when and where; the raw_tp flavour also takes both stacks now
 * (they cannot be read later from another task's context), tp_btf only the user registers. */
static __always_inline void block(bool btf, void *ctx, struct task_struct *prev, __u32 pid, __u32 tgid,
				  __u32 cpu, __u64 now)
{
	struct blocked *b = bpf_map_lookup_elem(&blocked, &pid);
	__u32 zero = 0;

	if (!b) {
		struct blocked *init = bpf_map_lookup_elem(&blocked_zero, &zero);
		if (!init)
			return;
		if (bpf_map_update_elem(&blocked, &pid, init, BPF_NOEXIST)) {
			count(CNT_TASK_MAP); /* full: this block goes unrecorded, and is counted */
			return;
		}
		b = bpf_map_lookup_elem(&blocked, &pid);
		if (!b)
			return;
	}
	if (b->pend_ts) {
		/* blocked again without leaving the syscall of its last long block (or it was no syscall) */
		emit_pending(ctx, b, pid, false);
		count(CNT_NO_USER);
	}
	b->tgid = tgid;
	b->cpu = cpu;
	b->waker_pid = 0;
	b->waker_tgid = 0;
	b->nwk = 0;
	if (btf) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);

		b->uip = regs ? regs->ip : 0;
		b->usp = regs ? regs->sp : 0;
		b->nk = 0;
		b->nu = 0;
		b->flags = 0;
	} else {
		b->nk = frames(bpf_get_stack(ctx, b->kips, sizeof(b->kips), 0));
		b->nu = frames(bpf_get_stack(ctx, b->uips, sizeof(b->uips), BPF_F_USER_STACK));
		b->flags = (b->nk == MAX_DEPTH ? STACK_F_KERNEL_TRUNC : 0) | (b->nu == MAX_DEPTH ? STACK_F_USER_TRUNC : 0);
	}
	b->ts = now;
}

/* Switch-in after a block of at least min_block_ns: emit the interval with both stacks and the waker. */
static __always_inline void unblock(bool btf, struct task_struct *next, __u32 pid, struct blocked *b, __u64 now)
{
	__u64 start = b->ts;
	__u32 one = 1, nk, nu, nwk;
	struct stack_event *e;

	b->ts = 0;
	if (now - start < min_block_ns)
		return;
	if (btf) {
		/* it has not run since it blocked: its saved kernel stack is the one it blocked in, and reading
		 * it only now skips the unwind for the many blocks shorter than min_block_ns; the user stack
		 * follows when it is back in its syscall's exit (sys_exit), in its own context */
		b->nk = frames(bpf_get_task_stack(next, b->kips, sizeof(b->kips), 0));
		if (b->nk == MAX_DEPTH)
			b->flags |= STACK_F_KERNEL_TRUNC;
		b->pend_ts = start;
		b->pend_weight = now - start;
		return;
	}
	e = bpf_map_lookup_elem(&scratch, &one);
	if (!e)
		return;
	e->ts = start;
	e->weight = now - start;
	e->kind = STACK_OFF_CPU;
	e->cpu = b->cpu;
	e->pid = pid;
	e->tgid = b->tgid;
	e->waker_pid = b->waker_pid;
	e->waker_tgid = b->waker_tgid;
	e->flags = b->flags;
	nk = b->nk;
	if (nk > MAX_DEPTH)
		nk = MAX_DEPTH;
	bpf_probe_read_kernel(e->ips, nk * sizeof(__u64), b->kips);
	nu = b->nu;
	if (nu > MAX_DEPTH)
		nu = MAX_DEPTH;
	bpf_probe_read_kernel(&e->ips[nk], nu * sizeof(__u64), b->uips);
	nwk = b->nwk;
	if (nwk > MAX_DEPTH)
		nwk = MAX_DEPTH;
	bpf_probe_read_kernel(&e->ips[nk + nu], nwk * sizeof(__u64), b->wkips);
	e->nk = nk;
	e->nu = nu;
	e->nwk = nwk;
	emit(e);
}

static __always_inline int on_switch(bool btf, void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next)
{
	__u64 now;
	__u32 cpu, pid;
	long state;
	struct blocked *b;

	if (!off_cpu)
		return 0;
	now = bpf_ktime_get_ns();
	cpu = bpf_get_smp_processor_id();
	pid = RD(btf, prev, pid);
	state = RD(btf, prev, __state);
	/* a preempted task stays runnable whatever its state word says; a dying one never comes back */
	if (!preempt && (state & 0xff) && !(state & TASK_DEAD) && pid != 0 && wanted(RD(btf, prev, tgid), cpu))
		block(btf, ctx, prev, pid, RD(btf, prev, tgid), cpu, now);
	pid = RD(btf, next, pid);
	b = bpf_map_lookup_elem(&blocked, &pid);
	if (!b)
		return 0;
	if (b->ts)
		unblock(btf, next, pid, b, now);
	if (b->pend_ts) {
		__u32 zero = 0, *r;

		if (RD(btf, next, flags) & PF_KTHREAD) {
			emit_pending(ctx, b, pid, false); /* no user stack to wait for */
		} else {
			r = bpf_map_lookup_elem(&resumed, &zero);
			if (r)
				*r = pid;
		}
	}
	return 0;
}

/* Leaving a syscall: if this thread resumed from a long block on this CPU and is leaving the syscall it
 * blocked in (same user ip and stack pointer), its user stack completes the sample. */
static __always_inline int on_sys_exit(void *ctx, struct pt_regs *regs)
{
	__u32 zero = 0, pid = bpf_get_current_pid_tgid(), *r;
	struct blocked *b;

	r = bpf_map_lookup_elem(&resumed, &zero);
	if (!r || *r != pid || pid == 0)
		return 0;
	*r = 0;
	b = bpf_map_lookup_elem(&blocked, &pid);
	if (!b || !b->pend_ts)
		return 0;
	if (regs->ip == b->uip && regs->sp == b->usp) {
		emit_pending(ctx, b, pid, true);
	} else {
		/* a block outside a syscall (a page fault): this syscall's user stack is another moment's */
		emit_pending(ctx, b, pid, false);
		count(CNT_NO_USER);
	}
	return 0;
}

/* sched_waking runs in the waker's context (sched_wakeup may run later on the target CPU, in an IPI). */
static __always_inline int on_waking(bool btf, void *ctx, struct task_struct *p)
{
	__u64 id;
	__u32 pid;
	struct blocked *b;

	if (!off_cpu)
		return 0;
	pid = RD(btf, p, pid);
	b = bpf_map_lookup_elem(&blocked, &pid);
	if (!b || !b->ts || b->waker_pid)
		return 0;
	id = bpf_get_current_pid_tgid();
	b->waker_pid = id;
	b->waker_tgid = id >> 32;
	/* the waker's kernel stack only for blocks that will be long enough to be emitted (the user stack:
	 * see the waker's on-CPU samples) */
	if (bpf_ktime_get_ns() - b->ts >= min_block_ns) {
		b->nwk = frames(bpf_get_stack(ctx, b->wkips, sizeof(b->wkips), 0));
		if (b->nwk == MAX_DEPTH)
			b->flags |= STACK_F_WAKER_TRUNC;
	}
	return 0;
}

/* A thread's entry goes with it (tids are reused); a block still waiting for its user stack goes out without. */
static __always_inline int on_exit(bool btf, void *ctx, struct task_struct *p)
{
	__u32 pid = RD(btf, p, pid);
	struct blocked *b;

	if (!off_cpu)
		return 0;
	b = bpf_map_lookup_elem(&blocked, &pid);
	if (b && b->pend_ts) {
		emit_pending(ctx, b, pid, false);
		count(CNT_NO_USER);
	}
	bpf_map_delete_elem(&blocked, &pid);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(stacks_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{ return on_switch(true, ctx, preempt, prev, next); }

SEC("tp_btf/sched_waking")
int BPF_PROG(stacks_waking_btf, struct task_struct *p)
{ return on_waking(true, ctx, p); }

SEC("tp_btf/sched_process_exit")
int BPF_PROG(stacks_exit_btf, struct task_struct *p)
{ return on_exit(true, ctx, p); }

SEC("tp_btf/sys_exit")
int BPF_PROG(stacks_sys_exit_btf, struct pt_regs *regs, long ret)
{ return off_cpu ? on_sys_exit(ctx, regs) : 0; }

/* raw_tp flavour: fallback where tp_btf does not load (autoload switched by the recorder). */
SEC("raw_tp/sched_switch")
int BPF_PROG(stacks_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{ return on_switch(false, ctx, preempt, prev, next); }

SEC("raw_tp/sched_waking")
int BPF_PROG(stacks_waking_raw, struct task_struct *p)
{ return on_waking(false, ctx, p); }

SEC("raw_tp/sched_process_exit")
int BPF_PROG(stacks_exit_raw, struct task_struct *p)
{ return on_exit(false, ctx, p); }
