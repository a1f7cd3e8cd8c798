/* Workload for CxxStacksKernelTest: a C++ method reached through three C functions, built -O2 with and without
 * frame pointers. Prints its tid, then burns SECONDS of CPU time in ns::Worker::spin() (at most 10 x SECONDS of
 * wall time, however busy the machine). Every call is followed by work, so -O2 turns none into a tail jump. */
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>
#include <sys/syscall.h>

static double clock_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

namespace ns {
struct Worker {
	volatile unsigned long state = 1;
	__attribute__((noinline)) unsigned long spin(double seconds);
};

unsigned long Worker::spin(double seconds)
{
	double cpu_end = clock_s(CLOCK_THREAD_CPUTIME_ID) + seconds, wall_end = clock_s(CLOCK_MONOTONIC) + 10 * seconds;
	unsigned long x = state;
	while (clock_s(CLOCK_THREAD_CPUTIME_ID) < cpu_end && clock_s(CLOCK_MONOTONIC) < wall_end)
		for (int i = 0; i < 2000000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	state = x;
	return x;
}
} // namespace ns

volatile unsigned long sink;

extern "C" __attribute__((noinline)) unsigned long qz_level_three(ns::Worker *w, double s)
{
	unsigned long r = w->spin(s);
	sink = sink + r;
	return r + 3;
}

extern "C" __attribute__((noinline)) unsigned long qz_level_two(ns::Worker *w, double s)
{
	unsigned long r = qz_level_three(w, s);
	sink = sink + r;
	return r + 2;
}

extern "C" __attribute__((noinline)) unsigned long qz_level_one(ns::Worker *w, double s)
{
	unsigned long r = qz_level_two(w, s);
	sink = sink + r;
	return r + 1;
}

int main(int argc, char **argv)
{
	ns::Worker w;
	printf("%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	return qz_level_one(&w, argc > 1 ? atof(argv[1]) : 1.0) == 42;
}
