/* Two functions burning CPU in a known ratio: work_a for A ms and work_b for B ms of thread CPU time, in slices
 * of 1 ms alternating so that both are sampled across the run, after a short sleep. Built with frame pointers. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long thread_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

__attribute__((noinline)) static void spin_ms(long ms)
{
	long long until = thread_ns() + ms * 1000000LL;
	volatile unsigned long x = 0;
	while (thread_ns() < until)
		for (int i = 0; i < 200; i++) x += i;
}

__attribute__((noinline)) void work_a(long ms) { spin_ms(ms); }
__attribute__((noinline)) void work_b(long ms) { spin_ms(ms); }

int main(int argc, char **argv)
{
	long a = argc > 1 ? atol(argv[1]) : 300, b = argc > 2 ? atol(argv[2]) : 300;
	usleep(300000); /* the recorder reads our maps after the exec: give it time before the samples count */
	while (a > 0 || b > 0) {
		if (a > 0) { work_a(1); a--; }
		if (b > 0) { work_b(1); b--; }
	}
	return 0;
}
