/*
 * The resource-limit syscalls: getrlimit, setrlimit and prlimit64 (for
 * this process only: pid 0 or 1). The limits and their rules are
 * rlimit.c's.
 */
#include "proc.h"

#include <errno.h>
#include <sys/resource.h>

/* The app's struct rlimit: two unsigned longs, as hut_rlimit. */
_Static_assert(sizeof(struct rlimit) == sizeof(struct hut_rlimit), "struct rlimit");

static long get_to(long resource, struct rlimit *out)
{
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	struct hut_rlimit now = hut_rlimit_get((int)resource);
	*out = (struct rlimit){now.cur, now.max};
	return 0;
}

HUT_SYSCALL(getrlimit)
{
	if ((unsigned long)a0 >= HUT_RLIM_NLIMITS)
		return -EINVAL;
	return get_to(a0, (struct rlimit *)a1);
}

static long set_from(long resource, const struct rlimit *in)
{
	if (!hut_user_readable(in, sizeof *in))
		return -EFAULT;
	struct hut_rlimit want = {in->rlim_cur, in->rlim_max};
	return hut_rlimit_set((int)resource, &want);
}

HUT_SYSCALL(setrlimit)
{
	if ((unsigned long)a0 >= HUT_RLIM_NLIMITS)
		return -EINVAL;
	return set_from(a0, (const struct rlimit *)a1);
}

/* The old limits are written only once the new ones are taken. */
HUT_SYSCALL(prlimit64)
{
	const struct rlimit *want = (const struct rlimit *)a2;
	struct rlimit *old = (struct rlimit *)a3;
	struct hut_rlimit before;
	long r;
	if ((unsigned long)a1 >= HUT_RLIM_NLIMITS)
		return -EINVAL;
	if (a0 != 0 && a0 != 1)
		return -ESRCH;
	if (old && !hut_user_writable(old, sizeof *old))
		return -EFAULT;
	before = hut_rlimit_get((int)a1);
	if (want && (r = set_from(a1, want)) != 0)
		return r;
	if (old)
		*old = (struct rlimit){before.cur, before.max};
	return 0;
}
