/* A relay of threads handing a token through pipes: main writes it to relay 1, relay i burns ms[i] of its own
 * CPU time and passes it on, the last hands it back to main; ROUNDS times. Prints "main TID" and "relay I TID". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define N 4
static int pipes[N + 1][2];
static long burn_ms[N];
static int rounds;
static pid_t tids[N];

static long long thread_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* spin until this thread has used ms of CPU, whatever else runs meanwhile */
static void burn(long ms)
{
	long long until = thread_ns() + ms * 1000000LL;
	volatile unsigned long x = 0;
	while (thread_ns() < until)
		for (int i = 0; i < 1000; i++) x += i;
}

static void *relay(void *arg)
{
	long i = (long)arg;
	char c;
	tids[i] = syscall(SYS_gettid);
	for (int r = 0; r < rounds; r++) {
		if (read(pipes[i][0], &c, 1) != 1) exit(2);
		burn(burn_ms[i]);
		if (write(pipes[i + 1][1], &c, 1) != 1) exit(2);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[N];
	char c = 'x';
	rounds = argc > 1 ? atoi(argv[1]) : 3;
	for (int i = 0; i < N; i++) burn_ms[i] = argc > 2 + i ? atol(argv[2 + i]) : 10 * (i + 1);
	for (int i = 0; i <= N; i++)
		if (pipe(pipes[i])) return 1;
	for (long i = 0; i < N; i++) pthread_create(&th[i], NULL, relay, (void *)i);
	usleep(50000); /* every relay is blocked in its read before the first token */
	for (int r = 0; r < rounds; r++) {
		if (write(pipes[0][1], &c, 1) != 1) return 2;
		if (read(pipes[N][0], &c, 1) != 1) return 2;
	}
	for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
	printf("main %ld\n", (long)syscall(SYS_gettid));
	for (int i = 0; i < N; i++) printf("relay %d %d\n", i + 1, tids[i]);
	return 0;
}
