/* Workloads for StacksKernelTest, built with -O0 -fno-omit-frame-pointer so user stacks unwind by frame
 * pointers. Each mode prints the tids the test needs on one line, then works.
 *   spin SECONDS        burn SECONDS of CPU time in qz_spin_marmoset_cpu (at most 10 x SECONDS of wall time,
 *                       however busy the machine)
 *   pipe ROUNDS MS      a reader thread blocks on a pipe; a writer thread writes every MS ms
 *   deep DEPTH SECONDS  recurse DEPTH frames deep, then burn CPU at the bottom */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static int tid(void) { return (int)syscall(SYS_gettid); }

static double clock_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

volatile unsigned long sink;

__attribute__((noinline)) void qz_spin_marmoset_cpu(double seconds)
{
	double cpu_end = clock_s(CLOCK_THREAD_CPUTIME_ID) + seconds, wall_end = clock_s(CLOCK_MONOTONIC) + 10 * seconds;
	unsigned long x = 1;
	while (clock_s(CLOCK_THREAD_CPUTIME_ID) < cpu_end && clock_s(CLOCK_MONOTONIC) < wall_end)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
}

__attribute__((noinline)) int qz_deep_recurse(int depth, double seconds)
{
	if (depth == 0) {
		qz_spin_marmoset_cpu(seconds);
		return 0;
	}
	return qz_deep_recurse(depth - 1, seconds) + 1;
}

static int fds[2], rounds, period_ms, reader_tid;

static void *reader(void *arg)
{
	char c;
	(void)arg;
	reader_tid = tid();
	for (int i = 0; i < rounds; i++)
		if (read(fds[0], &c, 1) != 1)
			exit(3);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "spin")) {
		printf("%d\n", tid());
		fflush(stdout);
		qz_spin_marmoset_cpu(atof(argv[2]));
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "deep")) {
		printf("%d\n", tid());
		fflush(stdout);
		return qz_deep_recurse(atoi(argv[2]), atof(argv[3])) < 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "pipe")) {
		pthread_t t;
		struct timespec d;
		rounds = atoi(argv[2]);
		period_ms = atoi(argv[3]);
		d.tv_sec = period_ms / 1000;
		d.tv_nsec = (period_ms % 1000) * 1000000L;
		if (pipe(fds) || pthread_create(&t, NULL, reader, NULL))
			return 2;
		for (int i = 0; i < rounds; i++) {
			nanosleep(&d, NULL);
			if (write(fds[1], "x", 1) != 1)
				return 3;
		}
		pthread_join(t, NULL);
		printf("%d %d\n", reader_tid, tid());
		return 0;
	}
	fprintf(stderr, "usage: stackstest spin SECONDS | pipe ROUNDS MS | deep DEPTH SECONDS\n");
	return 2;
}
