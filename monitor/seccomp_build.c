/*
 * The seccomp program for a list of allow rules, shaped as a binary search
 * over the syscall numbers the rules name (as libseccomp's and
 * Firecracker's compilers shape theirs):
 *
 *   load arch; if not x86-64: kill
 *   load nr
 *   search: at each node, nr >= pivot? the right half : the left half;
 *           a leaf compares up to LEAF_NRS numbers, each jumping to its
 *           block on a match, and returns unlisted
 *   blocks, one per number: each of its rules' argument checks, in turn,
 *           allowing on the first rule that matches; else unlisted
 *
 * Why not a list of rules: loading a filter makes the kernel run it once
 * for every syscall number of both x86 ABIs, to find those it always
 * allows (its action cache, Linux 5.11 on). A list of ~100 rules took
 * ~150 us to load on kvm-pvm, on the boot's path; a search is ~log2 of the
 * numbers deep. The same depth is paid on every syscall the cache does not
 * settle, such as KVM_RUN's ioctl.
 *
 * A conditional jump reaches at most 255 instructions ahead, so the
 * search never jumps far with one: a far target is reached through a JA
 * (32-bit offset) right after the test.
 */
#include "seccomp_build.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdlib.h>

#define LEAF_NRS 4

#define LOAD(off) ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(v) ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))
#define JA(k) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (k), 0, 0))
#define JEQ(k, jt, jf) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf)))
#define JGE(k, jt, jf) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (jt), (jf)))
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))

struct build {
	struct hut_seccomp_prog *p;
	uint32_t unlisted;
	const char *why;
	const struct hut_seccomp_rule *rule[HUT_SECCOMP_MAX_RULES]; /* by number */
	uint32_t nr[HUT_SECCOMP_MAX_RULES];			    /* distinct, ascending */
	size_t first[HUT_SECCOMP_MAX_RULES + 1]; /* nr[i]'s rules: rule[first[i]..first[i+1]) */
	unsigned short to_block[HUT_SECCOMP_MAX_RULES]; /* the JA leading to nr[i]'s block */
	size_t nnr;
};

static unsigned short emit(struct build *b, struct sock_filter insn)
{
	if (b->p->len == HUT_SECCOMP_MAX_INSNS) {
		b->why = "seccomp filter too long";
		return b->p->len - 1;
	}
	b->p->insn[b->p->len] = insn;
	return b->p->len++;
}

/* The JA at `at` lands on the next instruction to be emitted. */
static void land_here(struct build *b, unsigned short at)
{
	b->p->insn[at].k = (uint32_t)(b->p->len - at - 1);
}

static int by_nr(const void *x, const void *y)
{
	const struct hut_seccomp_rule *a = *(const struct hut_seccomp_rule *const *)x;
	const struct hut_seccomp_rule *c = *(const struct hut_seccomp_rule *const *)y;
	if ((uint32_t)a->nr != (uint32_t)c->nr)
		return (uint32_t)a->nr < (uint32_t)c->nr ? -1 : 1;
	return a < c ? -1 : a > c; /* a number's rules in the order given */
}

/* rule[] sorted by number, and the distinct numbers with their rules. */
static void group(struct build *b, const struct hut_seccomp_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b->rule[i] = &rules[i];
	qsort(b->rule, n, sizeof b->rule[0], by_nr);
	b->nnr = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || b->rule[i]->nr != b->rule[i - 1]->nr) {
			b->nr[b->nnr] = (uint32_t)b->rule[i]->nr;
			b->first[b->nnr++] = i;
		}
	b->first[b->nnr] = n;
}

static void search(struct build *b, size_t lo, size_t hi)
{
	if (hi - lo <= LEAF_NRS) {
		for (size_t i = lo; i < hi; i++) {
			emit(b, JEQ(b->nr[i], 0, 1));
			b->to_block[i] = emit(b, JA(0));
		}
		emit(b, RET(b->unlisted));
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	emit(b, JGE(b->nr[mid], 0, 1));
	unsigned short to_right = emit(b, JA(0));
	search(b, lo, mid);
	land_here(b, to_right);
	search(b, mid, hi);
}

static bool exact(const struct hut_seccomp_rule *r, int i)
{
	return r->arg[i].hi == r->arg[i].lo + 1;
}

/* One rule's argument checks, then allow: an exact value takes a load and
 * one test, a range two tests. A mismatch jumps past the rest of the rule,
 * to the next rule or the block's end. */
static void rule_checks(struct build *b, const struct hut_seccomp_rule *r)
{
	uint8_t left = 1; /* instructions after the current check: the allow */
	for (int i = 0; i < r->nargs; i++)
		left += exact(r, i) ? 2 : 3;
	for (int i = 0; i < r->nargs; i++) {
		left -= exact(r, i) ? 2 : 3;
		emit(b, LOAD(ARG_LOW(r->arg[i].index)));
		if (exact(r, i)) {
			emit(b, JEQ(r->arg[i].lo, 0, left));
		} else {
			emit(b, JGE(r->arg[i].lo, 0, (uint8_t)(left + 1)));
			emit(b, JGE(r->arg[i].hi, left, 0));
		}
	}
	emit(b, RET(SECCOMP_RET_ALLOW));
}

static void block(struct build *b, size_t i)
{
	land_here(b, b->to_block[i]);
	for (size_t r = b->first[i]; r < b->first[i + 1]; r++) {
		rule_checks(b, b->rule[r]);
		if (b->rule[r]->nargs == 0)
			return; /* allowed whatever the arguments: the rest add nothing */
	}
	emit(b, RET(b->unlisted));
}

static const char *check_rules(const struct hut_seccomp_rule *rules, size_t n)
{
	if (n > HUT_SECCOMP_MAX_RULES)
		return "too many seccomp rules";
	for (size_t i = 0; i < n; i++) {
		if (rules[i].nargs < 0 || rules[i].nargs > HUT_RULE_ARGS)
			return "a seccomp rule with a bad argument count";
		for (int a = 0; a < rules[i].nargs; a++)
			if (rules[i].arg[a].index < 0 || rules[i].arg[a].index > 5)
				return "a seccomp rule checks no such argument";
	}
	return NULL;
}

const char *hut_seccomp_build(const struct hut_seccomp_rule *rules, size_t n, uint32_t unlisted,
			      struct hut_seccomp_prog *p)
{
	const char *why = check_rules(rules, n);
	if (why)
		return why;
	struct build b = {.p = p, .unlisted = unlisted}; /* ~6 KiB: two threads may build at once */
	p->len = 0;
	group(&b, rules, n);
	emit(&b, LOAD(offsetof(struct seccomp_data, arch)));
	emit(&b, JEQ(AUDIT_ARCH_X86_64, 1, 0));
	emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	emit(&b, LOAD(offsetof(struct seccomp_data, nr)));
	search(&b, 0, b.nnr);
	for (size_t i = 0; i < b.nnr; i++)
		block(&b, i);
	return b.why;
}
