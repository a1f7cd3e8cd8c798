/* The bundled sample's workload: named CPU-bound functions, a pipe ping-pong between two threads, and a
 * thread that blocks on timed sleeps, so every view has something real to show. Build with frame pointers:
 * gcc -O0 -g -fno-omit-frame-pointer -pthread workload.c -o workload */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static double seconds;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static unsigned long checksum_block(const unsigned char *p, size_t n) {
    unsigned long h = 1469598103934665603UL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211UL;
    return h;
}

__attribute__((noinline)) static void compress_like_pass(unsigned char *buf, size_t n) {
    for (size_t i = 1; i < n; i++) buf[i] = (unsigned char)(buf[i] + buf[i - 1] * 31);
}

__attribute__((noinline)) static void crunch_records(unsigned char *buf, size_t n) {
    sink += checksum_block(buf, n);
    compress_like_pass(buf, n);
}

static void *cruncher(void *arg) {
    prctl(PR_SET_NAME, (char *)arg);
    size_t n = 1 << 20;
    unsigned char *buf = malloc(n);
    memset(buf, 7, n);
    double end = now() + seconds;
    while (now() < end) {
        crunch_records(buf, n);
        usleep(200); /* let the scheduler interleave */
    }
    free(buf);
    return NULL;
}

static int ping[2], pong[2];

static void *ponger(void *arg) {
    (void)arg;
    prctl(PR_SET_NAME, "pong");
    char c;
    while (read(ping[0], &c, 1) == 1) {
        if (c == 'q') break;
        write(pong[1], &c, 1);
    }
    return NULL;
}

static void *sleeper(void *arg) {
    (void)arg;
    prctl(PR_SET_NAME, "sleeper");
    double end = now() + seconds;
    while (now() < end) {
        usleep(25000);
        sink += checksum_block((const unsigned char *)&sink, sizeof sink);
    }
    return NULL;
}

int main(int argc, char **argv) {
    seconds = argc > 1 ? atof(argv[1]) : 4;
    pthread_t t[4];
    if (pipe(ping) || pipe(pong)) return 1;
    pthread_create(&t[0], NULL, cruncher, "crunch-a");
    pthread_create(&t[1], NULL, cruncher, "crunch-b");
    pthread_create(&t[2], NULL, ponger, NULL);
    pthread_create(&t[3], NULL, sleeper, NULL);
    prctl(PR_SET_NAME, "ping");
    double end = now() + seconds;
    char c = 'x';
    while (now() < end) {
        write(ping[1], &c, 1);
        read(pong[0], &c, 1);
        usleep(2000);
    }
    c = 'q';
    write(ping[1], &c, 1);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("%lu\n", sink);
    return 0;
}
