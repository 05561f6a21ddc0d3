/*
 * Unit tests for hut_seccomp_build (monitor/seccomp_build.c): the program
 * it builds is run by a small classic-BPF interpreter of the test's own and
 * must allow exactly what the rules allow (any rule whose number and
 * checked arguments match), for every syscall number, both ends of each
 * checked range, another architecture and x32's numbers; large rule sets
 * force the far jumps. Then the kernel itself loads programs in a child
 * process: it must accept them, and kill on what they do not allow.
 */
#include "seccomp_build.h"

#include <criterion/criterion.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILL SECCOMP_RET_KILL_PROCESS
#define UNLISTED SECCOMP_RET_ERRNO /* not KILL: tells the two apart */
#define MAX_NR 520
#define X32_BIT 0x40000000u

static struct hut_seccomp_prog prog;

/* The test's own interpreter of what the builder may emit; any other
 * instruction, a jump out of the program or running off its end fails. */
static uint32_t run(const struct hut_seccomp_prog *p, const struct seccomp_data *d)
{
	uint32_t a = 0;
	for (unsigned pc = 0; pc < p->len; pc++) {
		const struct sock_filter *i = &p->insn[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			cr_assert(i->k % 4 == 0 && i->k + 4 <= sizeof *d, "load at %u", i->k);
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			cr_assert_fail("instruction %#x at %u", i->code, pc);
		}
		cr_assert(pc + 1 < p->len || i->code == (BPF_RET | BPF_K), "jump out at %u", pc);
	}
	cr_assert_fail("ran off the end");
	return 0;
}

static bool arg_ok(const struct hut_seccomp_rule *r, int i, const struct seccomp_data *d)
{
	uint32_t v = (uint32_t)d->args[r->arg[i].index];
	return v >= r->arg[i].lo && v < r->arg[i].hi;
}

/* What the rules say, from their definition. */
static uint32_t expected(const struct hut_seccomp_rule *rules, size_t n,
			 const struct seccomp_data *d)
{
	if (d->arch != AUDIT_ARCH_X86_64)
		return KILL;
	for (size_t r = 0; r < n; r++) {
		bool ok = (uint32_t)rules[r].nr == (uint32_t)d->nr;
		for (int i = 0; ok && i < rules[r].nargs; i++)
			ok = arg_ok(&rules[r], i, d);
		if (ok)
			return SECCOMP_RET_ALLOW;
	}
	return UNLISTED;
}

static void check(const struct hut_seccomp_rule *rules, size_t n, const struct seccomp_data *d)
{
	uint32_t want = expected(rules, n, d), got = run(&prog, d);
	cr_assert_eq(got, want, "nr %d arch %#x args %llx %llx %llx: %#x, want %#x", d->nr, d->arch,
		     (unsigned long long)d->args[0], (unsigned long long)d->args[1],
		     (unsigned long long)d->args[2], got, want);
}

/* Every number; for each rule, its arguments at and around its bounds
 * (the others random); high bits above the low 32 never matter. */
static void check_all(const struct hut_seccomp_rule *rules, size_t n)
{
	cr_assert_null(hut_seccomp_build(rules, n, UNLISTED, &prog));
	struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64};
	for (int nr = 0; nr < MAX_NR; nr++) {
		d.nr = nr;
		check(rules, n, &d);
		d.nr = (int)((unsigned)nr | X32_BIT);
		check(rules, n, &d);
	}
	for (size_t r = 0; r < n; r++) {
		d.nr = rules[r].nr;
		for (int i = 0; i < rules[r].nargs; i++) {
			uint32_t lo = rules[r].arg[i].lo, hi = rules[r].arg[i].hi;
			const uint32_t at[] = {lo - 1, lo, lo + 1, hi - 1, hi, hi + 1};
			for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
				for (int j = 0; j < 6; j++)
					d.args[j] = (uint64_t)random() << 32 | (uint32_t)random();
				for (int j = 0; j < rules[r].nargs; j++) /* the others matching */
					d.args[rules[r].arg[j].index] =
						(uint64_t)random() << 32 | rules[r].arg[j].lo;
				d.args[rules[r].arg[i].index] = (uint64_t)random() << 32 | at[k];
				check(rules, n, &d);
			}
		}
	}
	d.arch = AUDIT_ARCH_I386;
	d.nr = rules[0].nr;
	check(rules, n, &d);
}

static struct hut_seccomp_rule random_rule(int max_nr)
{
	struct hut_seccomp_rule r = {.nr = (int)(random() % max_nr), .nargs = (int)(random() % 4)};
	for (int i = 0; i < r.nargs; i++) {
		uint32_t lo = (uint32_t)(random() % 64);
		r.arg[i].index = (int)(random() % 6);
		r.arg[i].lo = lo;
		r.arg[i].hi = random() % 2 ? lo + 1 : lo + 1 + (uint32_t)(random() % 8);
	}
	return r;
}

Test(seccomp_build, the_monitors_kind_of_rules)
{
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARGS2(SYS_ioctl, 0, 7, 1, 0xae80),
		HUT_ALLOW_ARGS2(SYS_ioctl, 0, 7, 1, 0xae81),
		HUT_ALLOW_ARG(SYS_write, 0, 1),
		HUT_ALLOW_ARG(SYS_write, 0, 2),
		HUT_ALLOW(SYS_exit_group),
		HUT_ALLOW(SYS_futex),
		{SYS_read, 1, {{0, 10, 20}}},
		HUT_ALLOW_ARG(SYS_read, 0, 3),
	};
	check_all(rules, sizeof rules / sizeof rules[0]);
}

Test(seccomp_build, no_rules_allow_nothing)
{
	struct hut_seccomp_rule none[1] = {HUT_ALLOW(SYS_read)};
	cr_assert_null(hut_seccomp_build(none, 0, UNLISTED, &prog));
	struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64};
	for (d.nr = 0; d.nr < MAX_NR; d.nr++)
		cr_assert_eq(run(&prog, &d), UNLISTED);
}

/* A rule without checked arguments allows the number whatever the others
 * of the same number check, wherever it stands among them. */
Test(seccomp_build, an_unchecked_rule_wins)
{
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_write, 0, 1),
		HUT_ALLOW(SYS_write),
		HUT_ALLOW_ARG(SYS_write, 0, 2),
	};
	check_all(rules, sizeof rules / sizeof rules[0]);
}

Test(seccomp_build, random_rule_sets)
{
	srandom(1);
	static struct hut_seccomp_rule rules[HUT_SECCOMP_MAX_RULES];
	for (int round = 0; round < 40; round++) {
		size_t n = 1 + (size_t)random() % HUT_SECCOMP_MAX_RULES;
		for (size_t i = 0; i < n; i++)
			rules[i] = random_rule(round % 2 ? 40 : MAX_NR); /* crowded or spread */
		check_all(rules, n);
	}
}

/* As many distinct numbers as it takes: the search's far jumps (past 255
 * instructions) must still land on each number's block. */
Test(seccomp_build, far_jumps)
{
	static struct hut_seccomp_rule rules[HUT_SECCOMP_MAX_RULES];
	for (int i = 0; i < HUT_SECCOMP_MAX_RULES; i++)
		rules[i] = (struct hut_seccomp_rule)HUT_ALLOW_ARGS2(2 * i, 0, i, 1, 3 * i);
	check_all(rules, HUT_SECCOMP_MAX_RULES);
	cr_assert_gt(prog.len, 1024);
}

Test(seccomp_build, refuses_what_it_cannot_build)
{
	static struct hut_seccomp_rule rules[HUT_SECCOMP_MAX_RULES + 1];
	cr_assert_not_null(hut_seccomp_build(rules, HUT_SECCOMP_MAX_RULES + 1, UNLISTED, &prog));
	struct hut_seccomp_rule bad = {SYS_read, HUT_RULE_ARGS + 1, {{0, 0, 1}}};
	cr_assert_not_null(hut_seccomp_build(&bad, 1, UNLISTED, &prog));
	struct hut_seccomp_rule bad_index = {SYS_read, 1, {{6, 0, 1}}};
	cr_assert_not_null(hut_seccomp_build(&bad_index, 1, UNLISTED, &prog));
}

/* In a child: load a program built from rules, make syscall nr with arg0;
 * returns the child's wait status. */
static int child_status(const struct hut_seccomp_rule *rules, size_t n, long nr, long arg0)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (hut_seccomp_build(rules, n, SECCOMP_RET_KILL_PROCESS, &prog))
			_exit(2);
		struct sock_fprog fp = {prog.len, prog.insn};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, 2, &fp))
			_exit(3);
		syscall(nr, arg0, 0, 0);
		syscall(SYS_exit_group, 0);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

Test(seccomp_build, the_kernel_runs_it)
{
	static struct hut_seccomp_rule rules[HUT_SECCOMP_MAX_RULES];
	size_t n = 0;
	rules[n++] = (struct hut_seccomp_rule)HUT_ALLOW(SYS_exit_group);
	rules[n++] = (struct hut_seccomp_rule)HUT_ALLOW_ARG(SYS_close, 0, 1000);
	while (n < HUT_SECCOMP_MAX_RULES) /* far jumps, for the kernel's checker too */
		rules[n] = (struct hut_seccomp_rule)HUT_ALLOW_ARG(300 + (int)n, 0, n), n++;
	int st = child_status(rules, n, SYS_close, 1000);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "allowed close: status %#x", st);
	st = child_status(rules, n, SYS_close, 1001);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "close(1001): status %#x", st);
	st = child_status(rules, n, SYS_getppid, 0);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "getppid: status %#x", st);
}
