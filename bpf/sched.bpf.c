// SPDX-License-Identifier: GPL-2.0
/* Scheduler recording for kernscope: one ring buffer of struct sched_event. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "sched.h"

char LICENSE[] SEC("license") = "GPL";

/* Tunables, set by the recorder before load. */
const volatile __u32 self_tgid = 0;     /* the recorder: its threads are recorded like any (never woken per
                                          * record: BPF_RB_NO_WAKEUP), only its exec/exit/rename are not */
const volatile __u32 targ_tgid = 0;     /* --pid: only events involving this process (0 = all) */
const volatile bool filter_cpus = false;
const volatile __u64 cpu_mask[MAX_CPUS / 64] = {};
const volatile __u64 wakeup_bytes = 1 << 20; /* per CPU: wake the consumer after this many bytes */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* --buffer sets it */
} events SEC(".maps");

/* Events the ring buffer could not take, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Bytes each CPU submitted since it last woke the consumer: cheaper than bpf_ringbuf_query per record,
 * which reads the consumer's cache line. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unwoken SEC(".maps");

/* See struct exec_args. LRU: a pid whose exec the recorder never looks up ages out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct exec_args);
} exec_args SEC(".maps");

/* Room to build a struct exec_args in (too big for the BPF stack next to the rest). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_args);
} exec_args_scratch SEC(".maps");

/* Keep the event structs in the object's BTF, where the Java mirror's layout test reads them. */
struct sched_event *unused_sched_event __attribute__((unused));
struct sched_task_event *unused_sched_task_event __attribute__((unused));
struct sched_batch *unused_sched_batch __attribute__((unused));
struct exec_args *unused_exec_args __attribute__((unused));

static __always_inline bool cpu_wanted(__u32 cpu)
{
	return !filter_cpus || cpu_in_mask(cpu_mask, MAX_CPUS / 64, cpu);
}

/* This CPU's batch being filled (see struct sched_batch in sched.h). Only programs that run with interrupts
 * off write it: the scheduler holds a run-queue or pi lock (irqsave) around sched_switch, sched_wakeup,
 * sched_wakeup_new and sched_migrate_task, and flush_cpu runs in an IPI, so two writers never interleave on
 * one CPU. Fork, exec, exit and rename run with interrupts on and go to the ring buffer directly. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sched_batch);
} batch SEC(".maps");

static __always_inline void count_lost(__u64 n)
{
	/* never silent: the recorder writes these counts into lost_events */
	__u32 zero = 0;
	__u64 *cnt = bpf_map_lookup_elem(&lost, &zero);

	if (cnt)
		__sync_fetch_and_add(cnt, n);
}

/* No wakeup per record (the consumer would trace itself, and it polls on a timer anyway); force one when
 * this CPU alone has filled its share of the buffer. */
static __always_inline __u64 wake_flag(__u64 size)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&unwoken, &zero);

	if (n && (*n += size) >= wakeup_bytes) {
		*n = 0;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void *reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		count_lost(1);
	return e;
}

static __always_inline void submit(void *e, __u64 size)
{
	bpf_ringbuf_submit(e, wake_flag(size));
}

/* The next free event of this CPU's batch; batch_commit() makes it count. */
static __always_inline struct sched_event *batch_slot(struct sched_batch **bp)
{
	__u32 zero = 0, n;
	struct sched_batch *b = bpf_map_lookup_elem(&batch, &zero);

	if (!b)
		return NULL;
	n = b->hdr.pid;
	if (n >= BATCH_EVENTS) /* never: a full batch is sent at once */
		n = b->hdr.pid = 0;
	*bp = b;
	return &b->ev[n];
}

/* Sends the events collected so far as one record (all counted lost if the ring buffer is full). */
static __always_inline void send_batch(struct sched_batch *b, __u32 cpu)
{
	__u32 n = b->hdr.pid;
	__u64 size;

	if (n == 0)
		return;
	size = sizeof(b->hdr) + (__u64)n * sizeof(b->ev[0]);
	/* bound the size itself, where the verifier sees it (a bound on n can be lost on a copy of it) */
	barrier_var(size);
	if (size > sizeof(*b))
		return;
	b->hdr.ts = bpf_ktime_get_ns();
	b->hdr.type = EV_BATCH;
	b->hdr.cpu = cpu;
	if (bpf_ringbuf_output(&events, b, size, wake_flag(size)))
		count_lost(n);
	b->hdr.pid = 0;
}

static __always_inline void batch_commit(struct sched_batch *b, __u32 cpu)
{
	if (++b->hdr.pid >= BATCH_EVENTS)
		send_batch(b, cpu);
}

static __always_inline int on_switch(bool btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 prev_tgid = RD(btf, prev, tgid), next_tgid = RD(btf, next, tgid);
	struct sched_batch *b;
	struct sched_event *e;

	if (!cpu_wanted(cpu))
		return 0;
	if (targ_tgid && prev_tgid != targ_tgid && next_tgid != targ_tgid)
		return 0;
	e = batch_slot(&b);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->type = EV_SWITCH;
	e->cpu = cpu;
	e->pid = RD(btf, prev, pid);
	e->tgid = prev_tgid;
	e->pid2 = RD(btf, next, pid);
	e->tgid2 = next_tgid;
	/* a preempted task stays runnable whatever its state word says */
	e->arg0 = preempt ? 0 : (RD(btf, prev, __state) & 0xfff);
	e->arg1 = RD(btf, prev, prio);
	e->arg2 = RD(btf, next, prio);
	batch_commit(b, cpu);
	return 0;
}

static __always_inline int on_wakeup(bool btf, struct task_struct *p, __u32 type)
{
	__u32 tgid = RD(btf, p, tgid);
	__u32 target = RD(btf, p, thread_info.cpu), cpu;
	__u64 cur;
	struct sched_batch *b;
	struct sched_event *e;

	if (!cpu_wanted(target))
		return 0;
	if (targ_tgid && tgid != targ_tgid)
		return 0;
	e = batch_slot(&b);
	if (!e)
		return 0;
	cur = bpf_get_current_pid_tgid();
	cpu = bpf_get_smp_processor_id();
	e->ts = bpf_ktime_get_ns();
	e->type = type;
	e->cpu = cpu;
	e->pid = RD(btf, p, pid);
	e->tgid = tgid;
	e->pid2 = (__u32)cur;
	e->tgid2 = cur >> 32;
	e->arg0 = target;
	e->arg1 = RD(btf, p, prio);
	e->arg2 = 0;
	batch_commit(b, cpu);
	return 0;
}

static __always_inline int on_migrate(bool btf, struct task_struct *p, int dest_cpu)
{
	__u32 tgid = RD(btf, p, tgid);
	__u32 orig = RD(btf, p, thread_info.cpu), cpu;
	struct sched_batch *b;
	struct sched_event *e;

	if (!cpu_wanted(orig) && !cpu_wanted(dest_cpu))
		return 0;
	if (targ_tgid && tgid != targ_tgid)
		return 0;
	e = batch_slot(&b);
	if (!e)
		return 0;
	cpu = bpf_get_smp_processor_id();
	e->ts = bpf_ktime_get_ns();
	e->type = EV_MIGRATE;
	e->cpu = cpu;
	e->pid = RD(btf, p, pid);
	e->tgid = tgid;
	e->pid2 = orig;
	e->tgid2 = dest_cpu;
	e->arg0 = 0;
	e->arg1 = 0;
	e->arg2 = 0;
	batch_commit(b, cpu);
	return 0;
}

/* Stores the argv of the image task p (current) just exec'ed, under its pid, stamped with the exec event's ts. */
static __always_inline void save_exec_args(struct task_struct *p, __u32 pid, __u64 ts)
{
	__u32 zero = 0;
	struct exec_args *a = bpf_map_lookup_elem(&exec_args_scratch, &zero);
	unsigned long start, end;
	__u64 len;

	if (!a)
		return;
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	if (len > EXEC_ARGS_LEN - 1)
		len = EXEC_ARGS_LEN - 1;
	len &= EXEC_ARGS_LEN - 1; /* the verifier's proof of the bound */
	a->ts = ts;
	a->len = 0;
	if (len && bpf_probe_read_user(a->args, len, (void *)start) == 0)
		a->len = len;
	bpf_map_update_elem(&exec_args, &pid, a, BPF_ANY);
}

/* Lifecycle events are never CPU- or pid-filtered: thread identity must stay right. Only fork, exec and
 * rename carry a comm. */
static __always_inline int on_task(bool btf, __u32 type, struct task_struct *p, struct task_struct *other,
				   __u32 old_pid, struct task_struct *comm_of, const char *comm)
{
	struct sched_task_event *t;
	__u32 tgid = RD(btf, p, tgid);
	__u64 size = type == EV_EXIT ? sizeof(t->ev) : sizeof(*t); /* constant per caller, as reserve needs */

	__u64 ts;

	if (self_tgid && tgid == self_tgid && type != EV_FORK)
		return 0;
	ts = bpf_ktime_get_ns();
	if (type == EV_EXEC) /* before the event is visible: the recorder looks the arguments up when it applies it */
		save_exec_args(p, RD(btf, p, pid), ts);
	t = reserve(size);
	if (!t)
		return 0;
	t->ev.ts = ts;
	t->ev.type = type;
	t->ev.cpu = bpf_get_smp_processor_id();
	t->ev.pid = RD(btf, p, pid);
	t->ev.tgid = tgid;
	t->ev.pid2 = other ? RD(btf, other, pid) : old_pid;
	t->ev.tgid2 = other ? RD(btf, other, tgid) : 0;
	t->ev.arg0 = type == EV_EXIT ? (btf ? p->signal->live.counter : BPF_CORE_READ(p, signal, live.counter)) == 0 : 0;
	t->ev.arg1 = 0;
	t->ev.arg2 = 0;
	if (comm_of)
		BPF_CORE_READ_STR_INTO(&t->comm, comm_of, comm);
	else if (comm)
		bpf_probe_read_kernel_str(t->comm, sizeof(t->comm), comm);
	submit(t, size);
	return 0;
}

/* Samples this CPU's run-queue length and sends its partial batch. Never attached: the recorder runs it on
 * each CPU through BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU (an IPI, interrupts off) before it drains the
 * ring buffer, so that every event older than that moment is in the ring. Loaded in both flavours. */
SEC("raw_tp")
int flush_cpu(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct sched_batch *b;
	struct sched_event *e;

	/* first a sample of this CPU's run-queue length, reached from the interrupted task (the idle task's
	 * se.cfs_rq is the CPU's root one too); needs CONFIG_FAIR_GROUP_SCHED for cfs_rq->rq */
	e = batch_slot(&b);
	if (!e)
		return 0;
	if (bpf_core_field_exists(((struct cfs_rq *)0)->rq)) {
		struct task_struct *cur = (struct task_struct *)bpf_get_current_task();

		e->ts = bpf_ktime_get_ns();
		e->type = EV_RUNQ;
		e->cpu = cpu;
		e->pid = 0;
		e->tgid = 0;
		e->pid2 = 0;
		e->tgid2 = BPF_CORE_READ(cur, se.cfs_rq, rq, nr_running);
		e->arg0 = 0;
		e->arg1 = 0;
		e->arg2 = 0;
		batch_commit(b, cpu);
	}
	send_batch(b, cpu);
	return 0;
}

/* tp_btf flavour: preferred (typed arguments, cheapest entry). */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{ return on_switch(true, preempt, prev, next); }

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup_btf, struct task_struct *p)
{ return on_wakeup(true, p, EV_WAKEUP); }

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p)
{ return on_wakeup(true, p, EV_WAKEUP_NEW); }

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(sched_migrate_btf, struct task_struct *p, int dest_cpu)
{ return on_migrate(true, p, dest_cpu); }

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork_btf, struct task_struct *parent, struct task_struct *child)
{ return on_task(true, EV_FORK, parent, child, 0, child, NULL); }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec_btf, struct task_struct *p, pid_t old_pid)
{ return on_task(true, EV_EXEC, p, NULL, old_pid, p, NULL); }

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit_btf, struct task_struct *p)
{ return on_task(true, EV_EXIT, p, NULL, 0, NULL, NULL); }

SEC("tp_btf/task_rename")
int BPF_PROG(task_rename_btf, struct task_struct *p, const char *comm)
{ return on_task(true, EV_RENAME, p, NULL, 0, NULL, comm); }

/* raw_tp flavour: fallback where tp_btf does not load (autoload switched by the recorder). */
SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{ return on_switch(false, preempt, prev, next); }

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup_raw, struct task_struct *p)
{ return on_wakeup(false, p, EV_WAKEUP); }

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p)
{ return on_wakeup(false, p, EV_WAKEUP_NEW); }

SEC("raw_tp/sched_migrate_task")
int BPF_PROG(sched_migrate_raw, struct task_struct *p, int dest_cpu)
{ return on_migrate(false, p, dest_cpu); }

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_fork_raw, struct task_struct *parent, struct task_struct *child)
{ return on_task(false, EV_FORK, parent, child, 0, child, NULL); }

SEC("raw_tp/sched_process_exec")
int BPF_PROG(sched_exec_raw, struct task_struct *p, pid_t old_pid)
{ return on_task(false, EV_EXEC, p, NULL, old_pid, p, NULL); }

SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_exit_raw, struct task_struct *p)
{ return on_task(false, EV_EXIT, p, NULL, 0, NULL, NULL); }

SEC("raw_tp/task_rename")
int BPF_PROG(task_rename_raw, struct task_struct *p, const char *comm)
{ return on_task(false, EV_RENAME, p, NULL, 0, NULL, comm); }
