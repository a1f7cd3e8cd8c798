/* Events shared between sched.bpf.c and the Java mirror dev.kernscope.tracer.SchedEvent. */
#ifndef KERNSCOPE_SCHED_H
#define KERNSCOPE_SCHED_H

#define TASK_COMM_LEN 16
#define MAX_CPUS 1024
/* runq value meaning "run-queue length did not change since the last event on that CPU" */
#define RUNQ_NONE 0xffffffffu

enum sched_event_type {
	EV_SWITCH = 1,     /* pid/tgid = prev, pid2/tgid2 = next, arg0/arg1 = prev/next prio, state = prev state */
	EV_WAKEUP = 2,     /* pid/tgid = woken, pid2/tgid2 = waker (current), arg0 = target cpu, arg1 = prio */
	EV_WAKEUP_NEW = 3, /* as EV_WAKEUP, for a newly forked task */
	EV_MIGRATE = 4,    /* pid/tgid = task, arg0 = orig cpu, arg1 = dest cpu */
	EV_FORK = 5,       /* pid/tgid = parent, pid2/tgid2 = child, comm = child comm */
	EV_EXEC = 6,       /* pid/tgid = task, pid2 = old pid, comm = new comm */
	EV_EXIT = 7,       /* pid/tgid = task, arg0 = 1 if the whole thread group is dead */
	EV_RENAME = 8,     /* pid/tgid = task, comm = new comm */
};

/* One scheduler event. Records without a comm are submitted without the trailing comm
 * (SCHED_EVENT_SHORT bytes). Fixed-width fields, widest first. */
struct sched_event {
	__u64 ts;     /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__s64 state;  /* EV_SWITCH: prev task state, 0 = still runnable */
	__u32 type;   /* enum sched_event_type */
	__u32 cpu;    /* CPU the event fired on */
	__u32 pid;
	__u32 tgid;
	__u32 pid2;
	__u32 tgid2;
	__u32 arg0;
	__u32 arg1;
	__u32 runq;   /* nr_running of the CPU the event concerns when it changed, else RUNQ_NONE */
	__u32 runq_cpu; /* CPU whose run-queue length runq is */
	char comm[TASK_COMM_LEN];
};

#define SCHED_EVENT_SHORT (sizeof(struct sched_event) - TASK_COMM_LEN)

#endif
