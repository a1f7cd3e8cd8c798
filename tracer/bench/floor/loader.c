// SPDX-License-Identifier: GPL-2.0
/* Loads one BPF object, attaches its tp_btf programs (skipping *_raw and flush_cpu, as the recorder does),
 * prints "ready", and consumes its "events" ring buffer every 50 ms, doing nothing with the records, until
 * SIGTERM. For floor.sh. */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) { stop = 1; }

static int skip(void *ctx, void *data, size_t size) { return 0; }

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct ring_buffer *rb;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		if (strstr(bpf_program__name(prog), "_raw"))
			bpf_program__set_autoload(prog, false);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog) && strcmp(bpf_program__name(prog), "flush_cpu") &&
		    !bpf_program__attach(prog)) {
			fprintf(stderr, "cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"), skip, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "no ring buffer 'events'\n");
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ring_buffer__consume(rb);
		usleep(50000);
	}
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
