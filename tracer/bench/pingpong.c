// SPDX-License-Identifier: GPL-2.0
/* A paced scheduler load for sustained.sh: two threads pinned to one CPU hand a byte back and forth over
 * two pipes, ROUNDS_PER_S round trips per second for SECONDS, in 1 ms steps. Each round trip is two context
 * switches and up to two wakeups (a pipe write wakes the reader only if it is already waiting). Prints the
 * round trips done and the rate reached; the recorder counts the events.
 * Usage: pingpong CPU ROUNDS_PER_S SECONDS */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int ping[2], pong[2];

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

static int cpu;

static void *echo(void *arg)
{
	char c;

	pin(cpu);
	while (read(ping[0], &c, 1) == 1 && c)
		if (write(pong[1], &c, 1) != 1)
			break;
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	pthread_t t;
	double rate, secs, start, end;
	long done = 0, step;
	char c = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: %s CPU ROUNDS_PER_S SECONDS\n", argv[0]);
		return 2;
	}
	cpu = atoi(argv[1]);
	rate = atof(argv[2]);
	secs = atof(argv[3]);
	if (pipe(ping) || pipe(pong)) {
		perror("pipe");
		return 1;
	}
	pin(cpu);
	pthread_create(&t, NULL, echo, NULL);
	start = now();
	for (step = 1; now() - start < secs; step++) {
		/* catch up to where this millisecond should be, then sleep to the next one */
		long due = (long)(rate * step / 1000.0);
		struct timespec ts;
		double next;

		while (done < due) {
			if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
				perror("pipe");
				return 1;
			}
			done++;
		}
		next = start + step / 1000.0 - now();
		if (next > 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(next * 1e9);
			nanosleep(&ts, NULL);
		}
	}
	end = now();
	c = 0;
	if (write(ping[1], &c, 1) != 1)
		perror("write");
	pthread_join(t, NULL);
	printf("%ld round trips in %.2f s: %.0f round trips/s\n", done, end - start, done / (end - start));
	return 0;
}
