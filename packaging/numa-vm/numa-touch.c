/* Test workload: first-touches MB mebibytes where it runs, writes its pid to READY_FILE, then keeps
 * reading every page for SECONDS seconds so that NUMA balancing sees its accesses.
 * Usage: numa-touch MB SECONDS READY_FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s MB SECONDS READY_FILE\n", argv[0]);
		return 2;
	}
	size_t len = (size_t)atol(argv[1]) << 20;
	double seconds = atof(argv[2]);
	long page = sysconf(_SC_PAGESIZE);
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* base pages, so that numa_maps and the migration counters move page by page */
	madvise(buf, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += page)
		buf[i] = (char)i;
	FILE *f = fopen(argv[3], "w");
	if (!f) {
		perror(argv[3]);
		return 1;
	}
	fprintf(f, "%d\n", getpid());
	fclose(f);
	volatile unsigned long sum = 0;
	double end = now() + seconds;
	while (now() < end) {
		for (size_t i = 0; i < len; i += page)
			sum += buf[i];
		usleep(20000);
	}
	return 0;
}
