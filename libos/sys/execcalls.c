/*
 * execve and execveat, for the one image an appliance can run today: its
 * own. The libos lives at the image's addresses, inside it, so another
 * image cannot be loaded where it was linked to run without the libos
 * moving out of the way (docs/ARCHITECTURE.md, "Processes"); exec of a file
 * whose loaded bytes are this image's (the image on a volume, or a link to
 * it: how a shell finds busybox's applets, how system() finds /bin/sh) is
 * served: the process's app memory starts again from the image's data
 * (mem/mm.c), the stack holds the new argv, envp and auxv, close-on-exec
 * fds close, handlers go back to SIG_DFL, the other threads end, and the
 * syscall "returns" to musl's _start. Any other file is ENOEXEC with one
 * line saying why (a script, a dynamic or a non-x86-64 ELF, another image).
 */
#include "procstack.h"
#include "syscalls.h"

#include "fs/vfs.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define ARGS_MAX (128 * 1024) /* bytes of argv and envp strings; Linux's is larger */
#define CHUNK (64 * 1024)
#define WORDS_MAX 4096 /* argv and envp entries */

struct strings {
	char *buf;    /* the strings, NUL-ended, one after another */
	size_t len;   /* bytes used in buf */
	uint64_t *at; /* each string's address in buf, for the stack builder */
	uint64_t n;
};

/* Copies a user array of strings (NULL-ended) into s: 0 or -errno. */
static long take_strings(const char *const *user, struct strings *s, char *buf, size_t *used,
			 uint64_t *at, uint64_t max)
{
	s->buf = buf + *used;
	s->at = at;
	s->n = 0;
	for (; user; user++) {
		if (!hut_user_readable(user, sizeof *user))
			return -EFAULT;
		if (!*user)
			break;
		if (s->n == max)
			return -E2BIG;
		long len = hut_user_string(*user, buf + *used, ARGS_MAX - *used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		s->at[s->n++] = (uint64_t)(buf + *used);
		*used += (size_t)len + 1;
	}
	return 0;
}

static void say(const char *path, const char *why)
{
	char line[300], *p = line, *end = line + sizeof line - 1;
	p = hut_append(p, end, "hut: exec of ");
	p = hut_append(p, end, path);
	p = hut_append(p, end, ": ");
	p = hut_append(p, end, why);
	p = hut_append(p, end, ": ENOEXEC\n");
	*p = 0;
	hut_console_print(2, line);
}

static long read_at(long fd, void *buf, uint64_t len, uint64_t off)
{
	long r = hut_sys_pread64(fd, (long)buf, (long)len, (long)off, 0, 0);
	return r == (long)len ? 0 : (r < 0 ? r : -ENOEXEC);
}

/* The ELF header's fields that strip rewrites (where the section headers
 * are) are not the image's loaded bytes: the monitor zeroes them, as the
 * image's CRC leaves them out (abi.h). The file's are made to match. */
static void skip_strip_fields(uint8_t *chunk, uint64_t file_off, uint64_t n)
{
	static const uint64_t at[2][2] = {{HUT_CRC_SKIP_SHOFF, HUT_CRC_SKIP_SHOFF_LEN},
					  {HUT_CRC_SKIP_SHENTSIZE, HUT_CRC_SKIP_SHENTSIZE_LEN}};
	for (int i = 0; i < 2; i++)
		for (uint64_t b = at[i][0]; b < at[i][0] + at[i][1]; b++)
			if (b >= file_off && b < file_off + n)
				chunk[b - file_off] = 0;
}

/* Whether the file's loaded bytes are the running image's: its ELF header
 * and program headers, then every read-only segment, byte for byte. */
static long is_this_image(long fd, const char *path, uint8_t *chunk)
{
	Elf64_Ehdr eh;
	if (read_at(fd, &eh, sizeof eh, 0) || hut_memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		say(path, hut_memcmp(eh.e_ident, "#!", 2) ? "not an ELF executable"
							  : "a script (no interpreter is served)");
		return -ENOEXEC;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		say(path, "not an x86-64 ELF");
		return -ENOEXEC;
	}
	if (eh.e_type != ET_EXEC) {
		say(path, "not a static executable (dynamic or position-independent)");
		return -ENOEXEC;
	}
	const struct hut_boot_info *bi = hut_boot_info;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)bi->phdr;
	for (uint64_t i = 0; i < bi->phnum; i++) {
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W))
			continue;
		for (uint64_t done = 0; done < ph[i].p_filesz; done += CHUNK) {
			uint64_t n = ph[i].p_filesz - done < CHUNK ? ph[i].p_filesz - done : CHUNK;
			long r = read_at(fd, chunk, n, ph[i].p_offset + done);
			if (r == 0)
				skip_strip_fields(chunk, ph[i].p_offset + done, n);
			if (r || hut_memcmp(chunk, (const void *)(ph[i].p_vaddr + done), n)) {
				say(path,
				    "another image (only the appliance's own can be exec'd yet)");
				return -ENOEXEC;
			}
		}
	}
	return 0;
}

/* The image's writable segment, as the file has it. */
static const Elf64_Phdr *data_segment(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)hut_boot_info->phdr;
	for (uint64_t i = 0; i < hut_boot_info->phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
			return &ph[i];
	return NULL;
}

/* The point of no return: the process becomes the image started again. */
static long start_again(const char *path, const uint8_t *data, const struct strings *argv,
			const struct strings *envp)
{
	const Elf64_Phdr *d = data_segment();
	hut_process_single_thread();
	hut_fd_close_on_exec();
	hut_signal_exec_reset();
	if (d)
		hut_mm_exec(data, d->p_vaddr, d->p_filesz);
	uint64_t sp = hut_build_process_stack(hut_boot_info->stack_top, (uint64_t)argv->at, argv->n,
					      (uint64_t)envp->at, envp->n);
	struct hut_thread *t = hut_thread_now;
	hut_thread_name_from_path(t, path);
	hut_thread_set_fs(0); /* musl's _start makes its TLS */
	struct hut_syscall_frame *f = t->frame;
	uint64_t via = f->via;
	hut_memset(f, 0, sizeof *f);
	f->via = via;
	f->rip = hut_boot_info->app_entry;
	f->rflags = 0x202;
	hut_user_rsp = sp;
	return 0; /* %rdx 0 too: no atexit hook, as the kernel leaves it */
}

static long do_exec(long dirfd, const char *path, const char *const *argv, const char *const *envp,
		    long flags)
{
	char kpath[HUT_PATH_MAX];
	long r = hut_user_string(path, kpath, sizeof kpath);
	if (r < 0)
		return r;
	if (!*kpath && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	long open_flags = O_RDONLY | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0);
	long fd = *kpath ? hut_sys_openat(dirfd, (long)path, open_flags, 0, 0, 0)
			 : hut_sys_dup(dirfd, 0, 0, 0, 0, 0);
	if (fd < 0)
		return fd;
	struct stat st;
	uint8_t *buf = hut_kalloc(ARGS_MAX + CHUNK);
	uint64_t *at = hut_kalloc(2 * WORDS_MAX * sizeof *at);
	const Elf64_Phdr *d = data_segment();
	uint8_t *data = d ? hut_kalloc(d->p_filesz ? d->p_filesz : 1) : NULL;
	struct strings a, e;
	size_t used = 0;
	if (!buf || !at || (d && !data))
		r = -ENOMEM;
	else if ((r = hut_sys_fstat(fd, (long)&st, 0, 0, 0, 0)) == 0 &&
		 (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)))
		r = -EACCES;
	if (r == 0 && (r = take_strings(argv, &a, (char *)buf, &used, at, WORDS_MAX)) == 0 &&
	    (r = take_strings(envp, &e, (char *)buf, &used, at + WORDS_MAX, WORDS_MAX)) == 0 &&
	    (r = is_this_image(fd, kpath, buf + ARGS_MAX)) == 0 && d)
		r = read_at(fd, data, d->p_filesz, d->p_offset);
	hut_sys_close(fd, 0, 0, 0, 0, 0);
	if (r == 0)
		r = start_again(kpath, data, &a, &e);
	if (data)
		hut_kfree(data, d->p_filesz ? d->p_filesz : 1);
	if (at)
		hut_kfree(at, 2 * WORDS_MAX * sizeof *at);
	if (buf)
		hut_kfree(buf, ARGS_MAX + CHUNK);
	return r;
}

HUT_SYSCALL(execve)
{
	return do_exec(AT_FDCWD, (const char *)a0, (const char *const *)a1, (const char *const *)a2,
		       0);
}

HUT_SYSCALL(execveat)
{
	if (a4 & ~(long)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return do_exec(a0, (const char *)a1, (const char *const *)a2, (const char *const *)a3, a4);
}
