/*
 * A seccomp program (classic BPF) from a list of allow rules (module.h's
 * struct hut_seccomp_rule): the shape is in seccomp_build.c.
 */
#ifndef HUT_SECCOMP_BUILD_H
#define HUT_SECCOMP_BUILD_H

#include "module.h"

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* Room for a program: the kernel's own limit (32 KiB). */
#define HUT_SECCOMP_MAX_INSNS BPF_MAXINSNS
/* Rules one program can take (the vCPU thread's are ~100). */
#define HUT_SECCOMP_MAX_RULES 256

struct hut_seccomp_prog {
	struct sock_filter insn[HUT_SECCOMP_MAX_INSNS];
	unsigned short len;
};

/* Builds the program that allows what any of rules[0..n) allows, kills
 * the process on any other architecture, and returns unlisted for the
 * rest. Returns NULL, or why it could not (too many rules, too long). */
const char *hut_seccomp_build(const struct hut_seccomp_rule *rules, size_t n, uint32_t unlisted,
			      struct hut_seccomp_prog *p);

#endif
