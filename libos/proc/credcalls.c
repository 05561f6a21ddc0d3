/*
 * The identity syscalls: the user and group ids, the supplementary groups
 * and the capabilities, read and changed with Linux's rules (kernel/sys.c,
 * kernel/capability.c): who may change what, the EPERM otherwise, the
 * saved and file-system ids that follow, setfsuid's return of the old id.
 * The state and the capability rules are cred.c's.
 */
#include "proc.h"

#include <errno.h>

#define NO_ID UINT32_MAX /* -1: "leave it as it is" */

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

HUT_SYSCALL(getuid)
{
	return hut_cred_current()->uid;
}

HUT_SYSCALL(geteuid)
{
	return hut_cred_current()->euid;
}

HUT_SYSCALL(getgid)
{
	return hut_cred_current()->gid;
}

HUT_SYSCALL(getegid)
{
	return hut_cred_current()->egid;
}

static long put_three(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t x, uint32_t y, uint32_t z)
{
	if (!hut_user_writable(a, sizeof *a) || !hut_user_writable(b, sizeof *b) ||
	    !hut_user_writable(c, sizeof *c))
		return -EFAULT;
	*a = x;
	*b = y;
	*c = z;
	return 0;
}

HUT_SYSCALL(getresuid)
{
	const struct hut_cred *c = hut_cred_current();
	return put_three((uint32_t *)a0, (uint32_t *)a1, (uint32_t *)a2, c->uid, c->euid, c->suid);
}

HUT_SYSCALL(getresgid)
{
	const struct hut_cred *c = hut_cred_current();
	return put_three((uint32_t *)a0, (uint32_t *)a1, (uint32_t *)a2, c->gid, c->egid, c->sgid);
}

/* --- user ids: the capabilities follow every change (cred.c) --------------- */

HUT_SYSCALL(setuid)
{
	struct hut_cred *c = hut_cred_current(), old = *c;
	uint32_t uid = (uint32_t)a0;
	if (uid == NO_ID)
		return -EINVAL;
	if (hut_cred_capable(HUT_CAP_SETUID))
		c->uid = c->suid = uid;
	else if (uid != old.uid && uid != old.suid)
		return -EPERM;
	c->euid = c->fsuid = uid;
	hut_cred_fix_setuid(&old);
	return 0;
}

HUT_SYSCALL(setreuid)
{
	struct hut_cred *c = hut_cred_current(), old = *c;
	uint32_t ruid = (uint32_t)a0, euid = (uint32_t)a1;
	int may = hut_cred_capable(HUT_CAP_SETUID);
	if (ruid != NO_ID && ruid != old.uid && ruid != old.euid && !may)
		return -EPERM;
	if (euid != NO_ID && euid != old.uid && euid != old.euid && euid != old.suid && !may)
		return -EPERM;
	if (ruid != NO_ID)
		c->uid = ruid;
	if (euid != NO_ID)
		c->euid = euid;
	/* The saved id follows the effective one when the real one is set or
	 * the effective one becomes other than the old real one. */
	if (ruid != NO_ID || (euid != NO_ID && euid != old.uid))
		c->suid = c->euid;
	c->fsuid = c->euid;
	hut_cred_fix_setuid(&old);
	return 0;
}

/* Whether id is none of the three the caller holds (a change needs the
 * capability then). */
static int is_new(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id != NO_ID && id != r && id != e && id != s;
}

HUT_SYSCALL(setresuid)
{
	struct hut_cred *c = hut_cred_current(), old = *c;
	uint32_t ruid = (uint32_t)a0, euid = (uint32_t)a1, suid = (uint32_t)a2;
	if ((ruid == NO_ID || ruid == old.uid) &&
	    (euid == NO_ID || (euid == old.euid && euid == old.fsuid)) &&
	    (suid == NO_ID || suid == old.suid))
		return 0; /* nothing changes: no check, as Linux */
	if ((is_new(ruid, old.uid, old.euid, old.suid) ||
	     is_new(euid, old.uid, old.euid, old.suid) ||
	     is_new(suid, old.uid, old.euid, old.suid)) &&
	    !hut_cred_capable(HUT_CAP_SETUID))
		return -EPERM;
	if (ruid != NO_ID)
		c->uid = ruid;
	if (euid != NO_ID)
		c->euid = euid;
	if (suid != NO_ID)
		c->suid = suid;
	c->fsuid = c->euid;
	hut_cred_fix_setuid(&old);
	return 0;
}

/* setfsuid returns the old fsuid whether it changed anything or not: -1
 * is how a program asks. */
HUT_SYSCALL(setfsuid)
{
	struct hut_cred *c = hut_cred_current();
	uint32_t uid = (uint32_t)a0, old = c->fsuid;
	if (uid == NO_ID)
		return old;
	if (uid == c->uid || uid == c->euid || uid == c->suid || uid == c->fsuid ||
	    hut_cred_capable(HUT_CAP_SETUID)) {
		if (uid != old) {
			c->fsuid = uid;
			hut_cred_fix_setfsuid(old);
		}
	}
	return old;
}

/* --- group ids: the same rules with CAP_SETGID, no capability follows ------- */

HUT_SYSCALL(setgid)
{
	struct hut_cred *c = hut_cred_current();
	uint32_t gid = (uint32_t)a0;
	if (gid == NO_ID)
		return -EINVAL;
	if (hut_cred_capable(HUT_CAP_SETGID))
		c->gid = c->sgid = gid;
	else if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	c->egid = c->fsgid = gid;
	return 0;
}

HUT_SYSCALL(setregid)
{
	struct hut_cred *c = hut_cred_current(), old = *c;
	uint32_t rgid = (uint32_t)a0, egid = (uint32_t)a1;
	int may = hut_cred_capable(HUT_CAP_SETGID);
	if (rgid != NO_ID && rgid != old.gid && rgid != old.egid && !may)
		return -EPERM;
	if (egid != NO_ID && egid != old.gid && egid != old.egid && egid != old.sgid && !may)
		return -EPERM;
	if (rgid != NO_ID)
		c->gid = rgid;
	if (egid != NO_ID)
		c->egid = egid;
	if (rgid != NO_ID || (egid != NO_ID && egid != old.gid))
		c->sgid = c->egid;
	c->fsgid = c->egid;
	return 0;
}

HUT_SYSCALL(setresgid)
{
	struct hut_cred *c = hut_cred_current(), old = *c;
	uint32_t rgid = (uint32_t)a0, egid = (uint32_t)a1, sgid = (uint32_t)a2;
	if ((rgid == NO_ID || rgid == old.gid) &&
	    (egid == NO_ID || (egid == old.egid && egid == old.fsgid)) &&
	    (sgid == NO_ID || sgid == old.sgid))
		return 0;
	if ((is_new(rgid, old.gid, old.egid, old.sgid) ||
	     is_new(egid, old.gid, old.egid, old.sgid) ||
	     is_new(sgid, old.gid, old.egid, old.sgid)) &&
	    !hut_cred_capable(HUT_CAP_SETGID))
		return -EPERM;
	if (rgid != NO_ID)
		c->gid = rgid;
	if (egid != NO_ID)
		c->egid = egid;
	if (sgid != NO_ID)
		c->sgid = sgid;
	c->fsgid = c->egid;
	return 0;
}

HUT_SYSCALL(setfsgid)
{
	struct hut_cred *c = hut_cred_current();
	uint32_t gid = (uint32_t)a0, old = c->fsgid;
	if (gid == NO_ID)
		return old;
	if (gid == c->gid || gid == c->egid || gid == c->sgid || gid == c->fsgid ||
	    hut_cred_capable(HUT_CAP_SETGID))
		c->fsgid = gid;
	return old;
}

/* --- supplementary groups ------------------------------------------------------ */

HUT_SYSCALL(getgroups)
{
	const struct hut_cred *c = hut_cred_current();
	uint32_t *list = (uint32_t *)a1;
	if ((int)a0 < 0)
		return -EINVAL;
	if (a0 == 0)
		return c->ngroups;
	if ((uint32_t)a0 < c->ngroups)
		return -EINVAL;
	if (!hut_user_writable(list, c->ngroups * sizeof *list))
		return -EFAULT;
	hut_memcpy(list, c->groups, c->ngroups * sizeof *list);
	return c->ngroups;
}

HUT_SYSCALL(setgroups)
{
	const uint32_t *list = (const uint32_t *)a1;
	uint32_t n = (uint32_t)a0;
	if (!hut_cred_capable(HUT_CAP_SETGID))
		return -EPERM;
	if (n > HUT_NGROUPS_MAX)
		return -EINVAL;
	if (!hut_user_readable(list, n * sizeof *list))
		return -EFAULT;
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == NO_ID)
			return -EINVAL;
	return hut_cred_set_groups(list, n);
}

/* --- capabilities -------------------------------------------------------------- */

/* The header's version: how many 32-bit words each set takes (1 for v1, 2
 * after), or -EINVAL with the version Linux prefers written back. */
static long cap_words(struct cap_header *h)
{
	if (!hut_user_readable(h, sizeof *h))
		return -EFAULT;
	if (h->version == CAP_V1)
		return 1;
	if (h->version == CAP_V2 || h->version == CAP_V3)
		return 2;
	if (!hut_user_writable(&h->version, sizeof h->version))
		return -EFAULT;
	h->version = CAP_V3;
	return -EINVAL;
}

HUT_SYSCALL(capget)
{
	struct cap_header *h = (struct cap_header *)a0;
	struct cap_data *d = (struct cap_data *)a1;
	const struct hut_cred *c = hut_cred_current();
	long words = cap_words(h);
	if (!d) /* asks which version the kernel prefers */
		return words == -EINVAL || words > 0 ? 0 : words;
	if (words < 0)
		return words;
	if (h->pid < 0)
		return -EINVAL;
	if (h->pid != 0 && h->pid != 1)
		return -ESRCH;
	if (!hut_user_writable(d, (size_t)words * sizeof *d))
		return -EFAULT;
	for (long i = 0; i < words; i++)
		d[i] = (struct cap_data){(uint32_t)(c->cap_effective >> (32 * i)),
					 (uint32_t)(c->cap_permitted >> (32 * i)),
					 (uint32_t)(c->cap_inheritable >> (32 * i))};
	return 0;
}

/* A set from the app's words (v1: the low 32 capabilities only). */
static uint64_t cap_set(const struct cap_data *d, long words, size_t field)
{
	uint64_t set = 0;
	for (long i = 0; i < words; i++)
		set |= (uint64_t) * (const uint32_t *)((const char *)&d[i] + field) << (32 * i);
	return set;
}

static int subset(uint64_t a, uint64_t b)
{
	return (a & ~b) == 0;
}

HUT_SYSCALL(capset)
{
	struct cap_header *h = (struct cap_header *)a0;
	const struct cap_data *d = (const struct cap_data *)a1;
	struct hut_cred *c = hut_cred_current();
	long words = cap_words(h);
	if (words < 0)
		return words;
	if (h->pid != 0 && h->pid != 1)
		return -EPERM;
	if (!hut_user_readable(d, (size_t)words * sizeof *d))
		return -EFAULT;
	uint64_t eff = cap_set(d, words, __builtin_offsetof(struct cap_data, effective));
	uint64_t perm = cap_set(d, words, __builtin_offsetof(struct cap_data, permitted));
	uint64_t inh = cap_set(d, words, __builtin_offsetof(struct cap_data, inheritable));
	if (!hut_cred_capable(HUT_CAP_SETPCAP) &&
	    !subset(inh, c->cap_inheritable | c->cap_permitted))
		return -EPERM;
	if (!subset(inh, c->cap_inheritable | c->cap_bounding) || !subset(perm, c->cap_permitted) ||
	    !subset(eff, perm))
		return -EPERM;
	c->cap_effective = eff;
	c->cap_permitted = perm;
	c->cap_inheritable = inh;
	c->cap_ambient &= perm & inh;
	return 0;
}
