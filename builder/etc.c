/*
 * The /etc every image has unless it packs its own: what a minimal Linux
 * system answers, so that getpwnam("nobody"), getgrnam, gethostbyname
 * ("localhost") and localtime() behave as there. localtime is UTC, the
 * only zone a machine without one can honestly claim.
 */
#include "builder.h"

#include <string.h>
#include <sys/stat.h>

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char group[] = "root:x:0:\n"
			    "nogroup:x:65534:\n";
static const char hosts[] = "127.0.0.1\tlocalhost\n"
			    "::1\tlocalhost ip6-localhost ip6-loopback\n";

/* A TZif file (RFC 8536) for UTC: version 2, no transitions and no leap
 * seconds, one local time type (offset 0, standard time, named "UTC"),
 * given once in the version 1 block and once in the version 2 block, then
 * the POSIX TZ string for times after the last transition. */
#define TZIF_HEADER 44
#define TZIF_BLOCK (6 + 4) /* one ttinfo, then "UTC\0" */
#define TZIF_FOOTER "\nUTC0\n"
#define TZIF_SIZE (2 * (TZIF_HEADER + TZIF_BLOCK) + sizeof TZIF_FOOTER - 1)

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static unsigned char *tzif_part(unsigned char *p)
{
	memcpy(p, "TZif2", 5);	 /* then 15 reserved zero bytes */
	be32(p + 20 + 4 * 4, 1); /* typecnt, after isutcnt, isstdcnt, leapcnt, timecnt */
	be32(p + 20 + 5 * 4, 4); /* charcnt */
	p += TZIF_HEADER;
	p += 6; /* ttinfo: utoff 0, isdst 0, desigidx 0 */
	memcpy(p, "UTC", 4);
	return p + 4;
}

const unsigned char *builder_utc_tzif(size_t *size)
{
	static unsigned char file[TZIF_SIZE];
	unsigned char *p = tzif_part(tzif_part(file));
	memcpy(p, TZIF_FOOTER, sizeof TZIF_FOOTER - 1);
	*size = sizeof file;
	return file;
}

void builder_etc_defaults(struct builder_files *t)
{
	size_t tz_size;
	const unsigned char *tz = builder_utc_tzif(&tz_size);
	builder_files_add_data(t, "/etc/passwd", S_IFREG | 0644, passwd, sizeof passwd - 1, 1);
	builder_files_add_data(t, "/etc/group", S_IFREG | 0644, group, sizeof group - 1, 1);
	builder_files_add_data(t, "/etc/hosts", S_IFREG | 0644, hosts, sizeof hosts - 1, 1);
	builder_files_add_data(t, "/etc/localtime", S_IFREG | 0644, (const char *)tz, tz_size, 1);
}
