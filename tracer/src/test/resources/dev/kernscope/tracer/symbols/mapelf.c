/* Test workload for HostileInputTest: maps the file named by argv[1] executable (as a loader would map a
 * library), prints its pid and the mapping's address, then waits for stdin to close. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    off_t size = lseek(fd, 0, SEEK_END);
    void *p = mmap(0, size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    printf("%d %p\n", (int) getpid(), p);
    fflush(stdout);
    while (getchar() != EOF) {}
    return 0;
}
