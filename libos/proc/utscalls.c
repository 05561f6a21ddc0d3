/*
 * The machine's names (uname): the host name is the boot info's (hut-monitor
 * --hostname, an OCI config's hostname, else the service name), and the
 * appliance, root in its own box, may change it with sethostname, as a
 * container's root may in its UTS namespace. The domain name starts as
 * Linux's "(none)".
 */
#include "proc.h"

#include <errno.h>
#include <hut/version.h>
#include <sys/utsname.h>

#define UTS_LEN 64 /* Linux's __NEW_UTS_LEN: a field holds 64 bytes and a NUL */

static char hostname[UTS_LEN + 1];
static char domainname[UTS_LEN + 1] = "(none)";
static int named;

static void copy_field(char *dst, const char *src)
{
	size_t n = hut_strlen(src);
	if (n > UTS_LEN)
		n = UTS_LEN;
	hut_memcpy(dst, src, n);
	dst[n] = 0;
}

static const char *host_name(void)
{
	if (!named) {
		copy_field(hostname, hut_boot_info->hostname);
		named = 1;
	}
	return hostname;
}

const char *hut_uts_hostname(void)
{
	return host_name();
}

const char *hut_uts_domainname(void)
{
	return domainname;
}

HUT_SYSCALL(uname)
{
	struct utsname *u = (struct utsname *)a0;
	if (!hut_user_writable(u, sizeof *u))
		return -EFAULT;
	hut_memset(u, 0, sizeof *u);
	copy_field(u->sysname, "hut");
	copy_field(u->nodename, host_name());
	copy_field(u->release, HUT_VERSION);
	copy_field(u->version, "hut libos, Linux x86-64 syscall ABI");
	copy_field(u->machine, "x86_64");
	copy_field(u->__domainname, domainname); /* musl names it so without _GNU_SOURCE */
	return 0;
}

/* sethostname and setdomainname: len bytes, not NUL-terminated. */
static long set_name(char *field, const char *name, long len)
{
	if (len < 0 || len > UTS_LEN)
		return -EINVAL;
	if (!hut_user_readable(name, (size_t)len))
		return -EFAULT;
	hut_memcpy(field, name, (size_t)len);
	field[len] = 0;
	return 0;
}

HUT_SYSCALL(sethostname)
{
	named = 1;
	return set_name(hostname, (const char *)a0, a1);
}

HUT_SYSCALL(setdomainname)
{
	return set_name(domainname, (const char *)a0, a1);
}
