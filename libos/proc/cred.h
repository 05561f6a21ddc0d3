/*
 * Who the process is: its user and group ids (real, effective, saved and
 * file-system), its supplementary groups and its capabilities, kept with
 * Linux's rules (cred.c). The appliance starts as root with every
 * capability, as a container's init does in its own box; a daemon that
 * drops privileges loses them as it would on Linux, and the file systems
 * (fs/perm.c) check permissions against what is left.
 *
 * One struct reached through one accessor: the process's credentials
 * today; when there are several processes, the current one's.
 */
#ifndef HUT_CRED_H
#define HUT_CRED_H

#include <stdint.h>

#define HUT_NGROUPS_MAX 65536 /* NGROUPS_MAX */
#define HUT_CAP_LAST 40	      /* CAP_CHECKPOINT_RESTORE: Linux 5.9 and later */
#define HUT_CAP_ALL ((1ull << (HUT_CAP_LAST + 1)) - 1)
#define HUT_CAP_BIT(cap) (1ull << (cap))

/* The capabilities the libos looks at (linux/capability.h's numbers). */
#define HUT_CAP_CHOWN 0
#define HUT_CAP_DAC_OVERRIDE 1
#define HUT_CAP_DAC_READ_SEARCH 2
#define HUT_CAP_FOWNER 3
#define HUT_CAP_FSETID 4
#define HUT_CAP_SETGID 6
#define HUT_CAP_SETUID 7
#define HUT_CAP_SETPCAP 8
#define HUT_CAP_LINUX_IMMUTABLE 9
#define HUT_CAP_MKNOD 27
#define HUT_CAP_SYS_NICE 23
#define HUT_CAP_SYS_RESOURCE 24
#define HUT_CAP_MAC_OVERRIDE 32

/* The file-system capabilities, which follow the fsuid between 0 and not 0
 * (Linux's CAP_FS_SET). */
#define HUT_CAP_FS_SET                                                                             \
	(HUT_CAP_BIT(HUT_CAP_CHOWN) | HUT_CAP_BIT(HUT_CAP_DAC_OVERRIDE) |                          \
	 HUT_CAP_BIT(HUT_CAP_DAC_READ_SEARCH) | HUT_CAP_BIT(HUT_CAP_FOWNER) |                      \
	 HUT_CAP_BIT(HUT_CAP_FSETID) | HUT_CAP_BIT(HUT_CAP_LINUX_IMMUTABLE) |                      \
	 HUT_CAP_BIT(HUT_CAP_MKNOD) | HUT_CAP_BIT(HUT_CAP_MAC_OVERRIDE))

/* securebits (linux/securebits.h): each bit and its lock, the next bit up. */
#define HUT_SECBIT_NO_SETUID_FIXUP 0x04
#define HUT_SECBIT_KEEP_CAPS 0x10
#define HUT_SECBIT_KEEP_CAPS_LOCKED 0x20
#define HUT_SECBIT_NO_CAP_AMBIENT_RAISE 0x40
#define HUT_SECBIT_ALL 0x555 /* with Linux 6.14's EXEC_RESTRICT_FILE, EXEC_DENY_INTERACTIVE */
#define HUT_SECBIT_ALL_LOCKS (HUT_SECBIT_ALL << 1)

struct hut_cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t *groups; /* sorted, as Linux keeps them; kalloc'ed */
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bounding, cap_ambient;
	uint32_t securebits;
};

/* The running process's credentials. */
struct hut_cred *hut_cred_current(void);

/* Whether the effective set holds cap. */
int hut_cred_capable(int cap);
/* Whether gid is the fsgid or a supplementary group. */
int hut_cred_in_group(uint32_t gid);

/* After the user ids changed from old: the capabilities follow as Linux's
 * cap_emulate_setxuid does (no keepcaps: dropping every root id clears the
 * permitted and effective sets; leaving euid 0 clears the effective set,
 * coming back restores it from the permitted one). */
void hut_cred_fix_setuid(const struct hut_cred *old);
/* After setfsuid: the file-system capabilities follow the fsuid. */
void hut_cred_fix_setfsuid(uint32_t old_fsuid);

/* The supplementary groups, replaced by n gids (copied and sorted):
 * 0 or -ENOMEM. */
long hut_cred_set_groups(const uint32_t *gids, uint32_t n);

/* Permission checks (Linux's generic_permission): may the caller do mask
 * (HUT_MAY_*) to a file of this mode (with its type bits) and owner?
 * 0 or -EACCES. */
#define HUT_MAY_EXEC 1
#define HUT_MAY_WRITE 2
#define HUT_MAY_READ 4
long hut_cred_permission(uint32_t mode, uint32_t uid, uint32_t gid, int mask);
/* Whether the caller walks any directory without a check (CAP_DAC_OVERRIDE
 * or CAP_DAC_READ_SEARCH): path resolution then looks at nothing. */
int hut_cred_searches_all(void);
/* Whether the caller owns a file of owner uid, or may act as if it did
 * (CAP_FOWNER): chmod, utimes, the sticky bit. */
int hut_cred_owns(uint32_t uid);

/* access() and faccessat() without AT_EACCESS check with the real ids:
 * the credentials become those (capabilities as Linux gives them: the
 * permitted set for real uid 0, none otherwise) until restored from saved. */
void hut_cred_use_real(struct hut_cred *saved);
void hut_cred_restore(const struct hut_cred *saved);

/* prctl's capability options (KEEPCAPS, CAPBSET_*, CAP_AMBIENT,
 * GET/SET_SECUREBITS): the result, or -EINVAL for another option. */
long hut_cred_prctl(long option, unsigned long a1, unsigned long a2, unsigned long a3,
		    unsigned long a4);

/* Each process gets its own credentials (boot, proc/exit.c). */
void hut_cred_per_process(void);

#endif
