/*
 * /proc/sys: the kernel's settings a program reads, true for the
 * appliance, one value and a newline each.
 */
#include "procfs.h"

#include <hut/version.h>

static void line(struct hut_text *t, const char *s)
{
	hut_text_str(t, s);
	hut_text_char(t, '\n');
}

static void number_line(struct hut_text *t, uint64_t v)
{
	hut_text_u64(t, v);
	hut_text_char(t, '\n');
}

void hut_proc_hostname(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	line(t, hut_uts_hostname());
}

void hut_proc_domainname(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	line(t, hut_uts_domainname());
}

/* ostype, osrelease and version are uname's sysname, release and version. */
void hut_proc_ostype(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	line(t, "hut");
}

void hut_proc_osrelease(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	line(t, HUT_VERSION);
}

void hut_proc_kversion(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	line(t, "hut libos, Linux x86-64 syscall ABI");
}

/* Linux's largest pid_max on 64 bits; tids are handed out from 1 up. */
void hut_proc_pid_max(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	number_line(t, 4194304);
}

/* As Linux sizes it: the threads whose libos stacks fill the memory. */
void hut_proc_threads_max(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	number_line(t, hut_pages_total() / (HUT_KSTACK_SIZE / HUT_PAGE_SIZE));
}

void hut_proc_ngroups_max(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	number_line(t, 65536); /* NGROUPS_MAX */
}

/* A version-4 UUID from the libos's random stream. */
static void uuid(struct hut_text *t, const uint8_t b[16])
{
	for (int i = 0; i < 16; i++) {
		uint8_t v = b[i];
		if (i == 6)
			v = (uint8_t)((v & 0x0f) | 0x40);
		if (i == 8)
			v = (uint8_t)((v & 0x3f) | 0x80);
		if (i == 4 || i == 6 || i == 8 || i == 10)
			hut_text_char(t, '-');
		hut_text_hex(t, v, 2);
	}
	hut_text_char(t, '\n');
}

void hut_proc_boot_id(struct hut_text *t, const struct hut_proc_ctx *c)
{
	static uint8_t id[16];
	static int made;
	(void)c;
	if (!made) {
		hut_random_fill(id, sizeof id);
		made = 1;
	}
	uuid(t, id);
}

void hut_proc_uuid(struct hut_text *t, const struct hut_proc_ctx *c)
{
	uint8_t id[16];
	(void)c;
	hut_random_fill(id, sizeof id);
	uuid(t, id);
}

/* A ChaCha20 stream keyed at boot never runs short: Linux 5.18 and later
 * say 256 for the same reason. */
void hut_proc_entropy(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	number_line(t, 256);
}

/* 2, never overcommit: every page mmap hands out is taken from the arena
 * at once. */
void hut_proc_overcommit(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	number_line(t, 2);
}

void hut_proc_somaxconn(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	number_line(t, HUT_SOMAXCONN);
}
