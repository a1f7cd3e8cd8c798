/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the kernscope BPF programs share (BPF side only; the Java mirrors read the per-family headers). */
#ifndef KERNSCOPE_COMMON_BPF_H
#define KERNSCOPE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* tp_btf programs read task fields directly (BTF-typed pointers, CO-RE relocated); raw_tp ones must
 * go through bpf_probe_read_kernel. btf is a compile-time constant per caller, so one branch remains. */
#define RD(btf, p, f) ({						\
	typeof((p)->f) __v;						\
	if (btf)							\
		__v = (p)->f;						\
	else								\
		bpf_core_read(&__v, sizeof(__v), &(p)->f);		\
	__v;								\
})

/* Whether bit cpu is set in a CPU mask of `words` u64s (a --cpus filter). The word index is bounded where the
 * verifier sees it: clang may check a copy of cpu and index with the original, and the program is refused. */
static __always_inline bool cpu_in_mask(const volatile __u64 *mask, __u32 words, __u32 cpu)
{
	__u32 w = cpu / 64;

	barrier_var(w);
	if (w >= words)
		return false;
	return (mask[w] >> (cpu % 64)) & 1;
}

#endif
