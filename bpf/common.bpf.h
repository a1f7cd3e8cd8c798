/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the kernscope BPF programs share (BPF side only; the Java mirrors read the per-family headers). */
#ifndef KERNSCOPE_COMMON_BPF_H
#define KERNSCOPE_COMMON_BPF_H

#include "vmlinux.h"
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

#endif
