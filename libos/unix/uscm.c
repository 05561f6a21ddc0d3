/*
 * SCM_RIGHTS: open files passed in a sendmsg's control messages. The
 * sender's fds are turned into references to their struct hut_file at the
 * send (the descriptions are shared, as on Linux: offsets and status flags
 * too), travel in the message, and become new fds of the receiver at the
 * recvmsg. Files a receiver has no room for (MSG_CTRUNC), or that are never
 * received (the socket closes first), are dropped, closing them if they
 * were the last reference. A socket sent over itself and closed stays
 * allocated: Linux's garbage collector of such cycles is not done.
 */
#include "unix.h"

#include <errno.h>

/* The kernel's struct cmsghdr (musl's pads cmsg_len to the same 8 bytes). */
struct k_cmsghdr {
	uint64_t len;
	int32_t level, type;
};

#define HDR sizeof(struct k_cmsghdr)
#define ALIGN8(n) (((n) + 7) & ~(uint64_t)7)

void hut_unix_files_drop(struct hut_file **files, uint32_t n)
{
	if (!files)
		return;
	for (uint32_t i = 0; i < n; i++)
		hut_file_unref(files[i]);
	hut_kfree(files, n * sizeof *files);
}

/* Appends the files of one SCM_RIGHTS message to *files. */
static long add_rights(const int *fds, uint64_t count, struct hut_file ***files, uint32_t *n)
{
	if (*n + count > HUT_UNIX_FDS_MAX)
		return -EINVAL;
	struct hut_file **grown = hut_kalloc((*n + count) * sizeof *grown);
	if (!grown)
		return -ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		struct hut_file *f = hut_fd_file(fds[i]);
		if (!f) {
			hut_kfree(grown, (*n + count) * sizeof *grown);
			return -EBADF;
		}
		grown[*n + i] = f;
	}
	for (uint32_t i = 0; i < *n; i++)
		grown[i] = (*files)[i];
	for (uint64_t i = 0; i < count; i++)
		hut_file_ref(grown[*n + i]);
	hut_kfree(*files, *n * sizeof **files);
	*files = grown;
	*n += (uint32_t)count;
	return 0;
}

static long one_cmsg(const struct k_cmsghdr *c, struct hut_file ***files, uint32_t *n)
{
	if (c->level != SOL_SOCKET)
		return 0; /* not for the socket layer: ignored, as Linux does */
	if (c->type == SCM_RIGHTS)
		return add_rights((const int *)(c + 1), (c->len - HDR) / sizeof(int), files, n);
	if (c->type == SCM_CREDENTIALS)
		return c->len == HDR + 3 * sizeof(int) ? 0
						       : -EINVAL; /* a ucred: accepted, not sent */
	return -EINVAL;
}

long hut_unix_scm_in(const void *control, uint64_t len, struct hut_file ***files, uint32_t *nfiles)
{
	*files = NULL;
	*nfiles = 0;
	if (len > INT32_MAX)
		return -ENOBUFS;
	if (!hut_user_readable(control, len))
		return -EFAULT;
	for (uint64_t off = 0; off + HDR <= len;) {
		const struct k_cmsghdr *c = (const void *)((const uint8_t *)control + off);
		long r = c->len < HDR || c->len > len - off ? -EINVAL : one_cmsg(c, files, nfiles);
		if (r != 0) {
			hut_unix_files_drop(*files, *nfiles);
			*files = NULL;
			*nfiles = 0;
			return r;
		}
		off += ALIGN8(c->len);
	}
	return 0;
}

/* Installs as many of r's files as the app's buffer holds, as Linux's
 * scm_detach_fds: *len becomes the bytes used; MSG_CTRUNC if some did not
 * fit. The rest are dropped. */
long hut_unix_scm_out(struct hut_unix_recv *r, void *control, uint64_t *len, int cloexec)
{
	uint64_t room = *len, fit = room >= HDR ? (room - HDR) / sizeof(int) : 0, i = 0;
	*len = 0;
	if (!r->nfiles)
		return 0;
	int *fds = (int *)((uint8_t *)control + HDR);
	for (; i < r->nfiles && i < fit; i++) {
		long fd = hut_fd_install(r->files[i], 0, cloexec);
		r->files[i] = NULL;
		if (fd < 0)
			break;
		fds[i] = (int)fd;
	}
	if (i > 0) {
		*(struct k_cmsghdr *)control =
			(struct k_cmsghdr){HDR + i * sizeof(int), SOL_SOCKET, SCM_RIGHTS};
		uint64_t used = ALIGN8(HDR + i * sizeof(int));
		*len = used < room ? used : room;
	}
	if (i < r->nfiles)
		r->msg_flags |= MSG_CTRUNC;
	for (uint64_t j = i; j < r->nfiles; j++)
		if (r->files[j])
			hut_file_unref(r->files[j]);
	hut_kfree(r->files, r->nfiles * sizeof *r->files);
	r->files = NULL;
	r->nfiles = 0;
	return 0;
}
