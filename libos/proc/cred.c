/*
 * The process's credentials (cred.h) and the rules Linux applies to them:
 * capabilities following the user ids, the permission check every file
 * system shares, and the capability options of prctl. The syscalls that
 * read and change them are credcalls.c.
 */
#include "cred.h"
#include "proc.h"

#include <errno.h>
#include <sys/stat.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define PR_CAPBSET_READ_ 23
#define PR_CAPBSET_DROP_ 24
#define PR_GET_KEEPCAPS_ 7
#define PR_SET_KEEPCAPS_ 8
#define PR_GET_SECUREBITS_ 27
#define PR_SET_SECUREBITS_ 28

/* Root with every capability, no supplementary group. */
static struct hut_cred current = {
	.cap_permitted = HUT_CAP_ALL,
	.cap_effective = HUT_CAP_ALL,
	.cap_bounding = HUT_CAP_ALL,
};

struct hut_cred *hut_cred_current(void)
{
	return &current;
}

int hut_cred_capable(int cap)
{
	return cap >= 0 && cap <= HUT_CAP_LAST && (current.cap_effective & HUT_CAP_BIT(cap));
}

int hut_cred_in_group(uint32_t gid)
{
	if (gid == current.fsgid)
		return 1;
	uint32_t lo = 0, hi = current.ngroups; /* sorted: binary search */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (current.groups[mid] == gid)
			return 1;
		if (current.groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int any_root(uint32_t a, uint32_t b, uint32_t c)
{
	return a == 0 || b == 0 || c == 0;
}

void hut_cred_fix_setuid(const struct hut_cred *old)
{
	struct hut_cred *c = &current;
	if (c->securebits & HUT_SECBIT_NO_SETUID_FIXUP)
		return;
	if (any_root(old->uid, old->euid, old->suid) && !any_root(c->uid, c->euid, c->suid)) {
		if (!(c->securebits & HUT_SECBIT_KEEP_CAPS)) {
			c->cap_permitted = 0;
			c->cap_effective = 0;
		}
		c->cap_ambient = 0;
	}
	if (old->euid == 0 && c->euid != 0)
		c->cap_effective = 0;
	if (old->euid != 0 && c->euid == 0)
		c->cap_effective = c->cap_permitted;
}

void hut_cred_fix_setfsuid(uint32_t old_fsuid)
{
	struct hut_cred *c = &current;
	if (c->securebits & HUT_SECBIT_NO_SETUID_FIXUP)
		return;
	if (old_fsuid == 0 && c->fsuid != 0)
		c->cap_effective &= ~HUT_CAP_FS_SET;
	if (old_fsuid != 0 && c->fsuid == 0)
		c->cap_effective |= c->cap_permitted & HUT_CAP_FS_SET;
}

/* Shell sort: up to 65536 gids, no recursion, no allocation. */
static void sort_gids(uint32_t *g, uint32_t n)
{
	for (uint32_t gap = n / 2; gap > 0; gap /= 2)
		for (uint32_t i = gap; i < n; i++) {
			uint32_t v = g[i], j = i;
			for (; j >= gap && g[j - gap] > v; j -= gap)
				g[j] = g[j - gap];
			g[j] = v;
		}
}

long hut_cred_set_groups(const uint32_t *gids, uint32_t n)
{
	uint32_t *copy = NULL;
	if (n) {
		copy = hut_kalloc(n * sizeof *copy);
		if (!copy)
			return -ENOMEM;
		hut_memcpy(copy, gids, n * sizeof *copy);
		sort_gids(copy, n);
	}
	hut_kfree(current.groups, current.ngroups * sizeof *current.groups);
	current.groups = copy;
	current.ngroups = n;
	return 0;
}

/* The owner's, the group's or the others' bits, whichever class the
 * caller falls in (only one: an owner is not judged by the group bits). */
static int class_allows(uint32_t mode, uint32_t uid, uint32_t gid, int mask)
{
	uint32_t bits = current.fsuid == uid	 ? mode >> 6
			: hut_cred_in_group(gid) ? mode >> 3
						 : mode;
	return ((uint32_t)mask & ~bits & 7) == 0;
}

long hut_cred_permission(uint32_t mode, uint32_t uid, uint32_t gid, int mask)
{
	mask &= HUT_MAY_READ | HUT_MAY_WRITE | HUT_MAY_EXEC;
	if (class_allows(mode, uid, gid, mask))
		return 0;
	if (S_ISDIR(mode)) {
		if (!(mask & HUT_MAY_WRITE) && hut_cred_capable(HUT_CAP_DAC_READ_SEARCH))
			return 0;
		return hut_cred_capable(HUT_CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (mask == HUT_MAY_READ && hut_cred_capable(HUT_CAP_DAC_READ_SEARCH))
		return 0;
	/* Executing needs an execute bit somewhere, even for root. */
	if ((!(mask & HUT_MAY_EXEC) || (mode & 0111)) && hut_cred_capable(HUT_CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int hut_cred_searches_all(void)
{
	return hut_cred_capable(HUT_CAP_DAC_OVERRIDE) || hut_cred_capable(HUT_CAP_DAC_READ_SEARCH);
}

int hut_cred_owns(uint32_t uid)
{
	return current.fsuid == uid || hut_cred_capable(HUT_CAP_FOWNER);
}

void hut_cred_use_real(struct hut_cred *saved)
{
	*saved = current;
	current.fsuid = current.uid;
	current.fsgid = current.gid;
	if (!(current.securebits & HUT_SECBIT_NO_SETUID_FIXUP))
		current.cap_effective = current.uid == 0 ? current.cap_permitted : 0;
}

void hut_cred_restore(const struct hut_cred *saved)
{
	current = *saved;
}

static int cap_valid(unsigned long cap)
{
	return cap <= HUT_CAP_LAST;
}

/* A locked bit may not change, a lock may not be lifted, only known bits,
 * and only with CAP_SETPCAP (Linux's cap_task_prctl). */
static long set_securebits(unsigned long bits)
{
	uint32_t old = current.securebits;
	if ((((old & HUT_SECBIT_ALL_LOCKS) >> 1) & (old ^ bits)) ||
	    (old & HUT_SECBIT_ALL_LOCKS & ~bits) ||
	    (bits & ~(unsigned long)(HUT_SECBIT_ALL | HUT_SECBIT_ALL_LOCKS)) ||
	    !hut_cred_capable(HUT_CAP_SETPCAP))
		return -EPERM;
	current.securebits = (uint32_t)bits;
	return 0;
}

static long ambient(unsigned long op, unsigned long cap, unsigned long a3, unsigned long a4)
{
	struct hut_cred *c = &current;
	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap || a3 || a4)
			return -EINVAL;
		c->cap_ambient = 0;
		return 0;
	}
	if (!cap_valid(cap) || a3 || a4)
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_IS_SET)
		return (c->cap_ambient & HUT_CAP_BIT(cap)) != 0;
	if (op == PR_CAP_AMBIENT_LOWER) {
		c->cap_ambient &= ~HUT_CAP_BIT(cap);
		return 0;
	}
	if (op != PR_CAP_AMBIENT_RAISE)
		return -EINVAL;
	if (!(c->cap_permitted & c->cap_inheritable & HUT_CAP_BIT(cap)) ||
	    (c->securebits & HUT_SECBIT_NO_CAP_AMBIENT_RAISE))
		return -EPERM;
	c->cap_ambient |= HUT_CAP_BIT(cap);
	return 0;
}

long hut_cred_prctl(long option, unsigned long a1, unsigned long a2, unsigned long a3,
		    unsigned long a4)
{
	struct hut_cred *c = &current;
	switch (option) {
	case PR_GET_KEEPCAPS_:
		return (c->securebits & HUT_SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS_:
		if (a1 > 1)
			return -EINVAL;
		if (c->securebits & HUT_SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		c->securebits = a1 ? c->securebits | HUT_SECBIT_KEEP_CAPS
				   : c->securebits & ~(uint32_t)HUT_SECBIT_KEEP_CAPS;
		return 0;
	case PR_GET_SECUREBITS_:
		return c->securebits;
	case PR_SET_SECUREBITS_:
		return set_securebits(a1);
	case PR_CAPBSET_READ_:
		return cap_valid(a1) ? (c->cap_bounding & HUT_CAP_BIT(a1)) != 0 : -EINVAL;
	case PR_CAPBSET_DROP_:
		if (!hut_cred_capable(HUT_CAP_SETPCAP))
			return -EPERM;
		if (!cap_valid(a1))
			return -EINVAL;
		c->cap_bounding &= ~HUT_CAP_BIT(a1);
		return 0;
	case PR_CAP_AMBIENT:
		return ambient(a1, a2, a3, a4);
	default:
		return -EINVAL;
	}
}

/* ---- each process's own (proc/process.h): fork copies, as Linux's does -- */

static void save_cred(void *to)
{
	hut_memcpy(to, &current, sizeof current);
}

static void load_cred(const void *from)
{
	hut_memcpy(&current, from, sizeof current);
}

static void keep_nothing(void)
{
}

static const struct hut_proc_state_ops cred_ops = {
	sizeof current, save_cred, load_cred, save_cred, keep_nothing,
};

void hut_cred_per_process(void)
{
	hut_proc_state_register(&cred_ops);
}
