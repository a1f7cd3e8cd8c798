/* Test workload for SymbolizerTest: prints its pid and the run-time addresses of one of its own functions
 * and of libc's getpid, then waits for stdin to close so that the test can read its /proc/PID/maps. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

void kernscope_spin_xq7(volatile int *x) {
    for (int i = 0; i < 10; i++) *x += i;
}

int main(void) {
    volatile int v = 0;
    kernscope_spin_xq7(&v);
    void *g = dlsym(RTLD_DEFAULT, "getpid");
    printf("%d %p %p\n", (int) getpid(), (void *) &kernscope_spin_xq7, g);
    fflush(stdout);
    while (getchar() != EOF) {}
    return 0;
}
