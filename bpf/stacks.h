/* Events shared between stacks.bpf.c and the Java mirror dev.kernscope.tracer.stacks.StackEvent. */
#ifndef KERNSCOPE_STACKS_H
#define KERNSCOPE_STACKS_H

/* Frames kept per stack; bpf_get_stack caps it at kernel.perf_event_max_stack (127 by default). */
#define MAX_DEPTH 127
#define STACK_MAX_CPUS 1024

enum stack_kind {
	STACK_ON_CPU = 0,  /* cpu-clock sample of the running thread */
	STACK_OFF_CPU = 1, /* a blocked interval, emitted when the thread runs again */
};

/* flags: which of the stacks filled all MAX_DEPTH slots (probably cut off) */
#define STACK_F_KERNEL_TRUNC 1
#define STACK_F_USER_TRUNC 2
#define STACK_F_WAKER_TRUNC 4

/* Indexes of the per-CPU counters map (never silent: the recorder writes them to lost_events). */
enum stack_counter {
	CNT_RINGBUF = 0,   /* records the ring buffer could not take ('stacks_ringbuf') */
	CNT_TRUNCATED = 1, /* stacks that hit MAX_DEPTH ('stack_truncated') */
	CNT_TASK_MAP = 2,  /* blocked threads the per-task map had no room for ('stack_map') */
	CNT_NO_USER = 3,   /* long blocks emitted without their user stack: the thread did not go back to user
			    * space through the syscall it blocked in ('offcpu_no_user_stack') */
	CNT_MAX = 4,
};

/* One stack sample: a fixed header, then nk kernel, nu user and nwk waker-kernel instruction pointers,
 * each innermost first. Submitted with only the ips it holds (variable size). */
struct stack_event {
	__u64 ts;         /* on-CPU: sample time; off-CPU: switch-out time (bpf_ktime_get_ns) */
	__u64 weight;     /* ns: on-CPU sampling period; off-CPU switch-out to switch-in */
	__u32 kind;       /* enum stack_kind */
	__u32 cpu;        /* CPU sampled on, or switched out on */
	__u32 pid;        /* the thread */
	__u32 tgid;
	__u32 waker_pid;  /* off-CPU: thread that woke it (sched_waking), 0 if unknown */
	__u32 waker_tgid;
	__u32 nk;         /* kernel ips */
	__u32 nu;         /* user ips, after the kernel ones */
	__u32 nwk;        /* waker kernel ips, after the user ones */
	__u32 flags;      /* STACK_F_* */
	__u64 ips[3 * MAX_DEPTH];
};

#define STACK_EVENT_HDR (sizeof(struct stack_event) - 3 * MAX_DEPTH * sizeof(__u64))

#endif
