/* Events shared between sched.bpf.c and the Java mirror dev.kernscope.tracer.SchedEvent. */
#ifndef KERNSCOPE_SCHED_H
#define KERNSCOPE_SCHED_H

#define TASK_COMM_LEN 16
#define MAX_CPUS 1024

enum sched_event_type {
	EV_SWITCH = 1,     /* pid/tgid = prev, pid2/tgid2 = next, arg0 = prev state, arg1/arg2 = prev/next prio */
	EV_WAKEUP = 2,     /* pid/tgid = woken, pid2/tgid2 = waker (current), arg0 = target cpu, arg1 = prio */
	EV_WAKEUP_NEW = 3, /* as EV_WAKEUP, for a newly forked task */
	EV_MIGRATE = 4,    /* pid/tgid = task, pid2 = orig cpu, tgid2 = dest cpu */
	EV_FORK = 5,       /* pid/tgid = parent, pid2/tgid2 = child, comm = child comm */
	EV_EXEC = 6,       /* pid/tgid = task, pid2 = old pid, comm = new comm */
	EV_EXIT = 7,       /* pid/tgid = task, arg0 = 1 if the whole thread group is dead */
	EV_RENAME = 8,     /* pid/tgid = task, comm = new comm */
	EV_BATCH = 9,      /* a struct sched_batch: pid = number of events, ts = when it was sent */
	EV_RUNQ = 10,      /* tgid2 = rq->nr_running of this CPU (running task included), sampled by flush_cpu */
};

/* One scheduler event: 32 bytes, so that the hot switch and wakeup records stay small (40 bytes with the
 * ring buffer's header). The run-queue length is not sent with each event: the recorder derives it from them,
 * and flush_cpu samples the kernel's own count (EV_RUNQ) every time it runs, which corrects the derivation. */
struct sched_event {
	__u64 ts;     /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u32 pid;
	__u16 type;   /* enum sched_event_type */
	__u16 cpu;    /* CPU the event fired on */
	__u32 tgid;
	__u32 pid2;
	__u32 tgid2;
	__u16 arg0;
	__u8 arg1;
	__u8 arg2;
};

/* Fork, exec and rename carry the new comm after the common part. */
struct sched_task_event {
	struct sched_event ev;
	char comm[TASK_COMM_LEN];
};

/* The arguments of a process's latest exec, read by the exec tracepoint from the new image's argv (in place
 * at that point) and kept in the exec_args map under its pid: the recorder applies the exec later, when a
 * short-lived process may be gone from /proc or have exec'ed again. ts is the exec event's, so the recorder
 * takes the arguments of that exec only. At most EXEC_ARGS_LEN - 1 bytes, NUL-separated as in
 * /proc/PID/cmdline. */
#define EXEC_ARGS_LEN 256
struct exec_args {
	__u64 ts;
	__u32 len;
	__u32 pad;
	char args[EXEC_ARGS_LEN];
};

/* Switch, wakeup and migration events are collected per CPU and sent as one ring buffer record of this
 * (4 KiB with the record header) when full, or when the recorder runs flush_cpu on that CPU: one reserve,
 * one copy and one commit per 126 events instead of per event. The header is a sched_event of type
 * EV_BATCH whose pid is the number of events that follow. Events in a batch are in the order they happened
 * on that CPU; the recorder merges the CPUs' batches by time. */
#define BATCH_EVENTS 126
struct sched_batch {
	struct sched_event hdr;
	struct sched_event ev[BATCH_EVENTS];
};

#endif
