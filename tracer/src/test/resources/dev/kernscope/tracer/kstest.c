/* Known workloads for the recorder tests: ping-pong over pipes, exec + rename, a migration. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int p1[2], p2[2], rounds;
static pid_t tid_b;

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *pong(void *arg)
{
	char c;
	pin(1);
	tid_b = syscall(SYS_gettid);
	for (int i = 0; i < rounds; i++) {
		if (read(p1[0], &c, 1) != 1 || write(p2[1], &c, 1) != 1)
			exit(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "pingpong")) {
		pthread_t t;
		char c = 'x';
		rounds = atoi(argv[2]);
		pin(1);
		if (pipe(p1) || pipe(p2))
			return 1;
		pthread_create(&t, NULL, pong, NULL);
		usleep(20000); /* B is blocked in read now */
		pid_t a = syscall(SYS_gettid);
		for (int i = 0; i < rounds; i++) {
			if (write(p1[1], &c, 1) != 1 || read(p2[0], &c, 1) != 1)
				return 1;
		}
		pthread_join(t, NULL);
		printf("%d %d\n", a, tid_b);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "rename")) {
		usleep(50000);
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		usleep(50000);
		printf("%d\n", getpid());
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "migrate")) {
		pin(0);
		usleep(20000);
		pin(1);
		usleep(20000);
		printf("%d\n", getpid());
		return 0;
	}
	fprintf(stderr, "usage: kstest pingpong N | rename NAME | migrate\n");
	return 2;
}
