/*
 * execve and execveat: a static x86-64 executable found in the appliance's
 * file systems (a packed file, /tmp, a volume, the image's own file) runs in
 * the calling process, on this libos. The libos lives in a window of its
 * own (include/hut/abi.h, HUT_LIBOS_VA), in every address space, so the
 * new program is loaded where it was linked, below the window, and calls
 * the same libos as the old one: an image built by hut reaches it through
 * the ABI page and dispatcher that sit at the same addresses in every image
 * (its own copy of the libos, in its window, is not loaded); a static
 * program built without hut executes `syscall`, which traps into the same
 * libos (slower). Its app segments are read into frames of its own
 * (mem/image.c), pages equal to the boot image's shared instead.
 *
 * Then, as Linux's exec: the other threads end, close-on-exec fds close,
 * handlers go back to SIG_DFL (ignored stay), the app's memory is let go,
 * the stack holds the new argv, envp and auxv, and the syscall "returns" to
 * the new entry point. pid, fds, mask, cwd and credentials are kept.
 *
 * Refused with ENOEXEC and one line saying why: a script (no interpreter is
 * served), a dynamic or position-independent executable, a non-x86-64 ELF,
 * an image built for another libos ABI. ENOMEM, with a line, for an image
 * that needs addresses where the libos's memory is.
 */
#include "procstack.h"
#include "syscalls.h"

#include "fs/vfs.h"
#include "mem/mm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#define ARGS_MAX (128 * 1024) /* bytes of argv and envp strings; Linux's is larger */
#define CHUNK (64 * 1024)
#define WORDS_MAX 4096 /* argv and envp entries */
#define PHDRS_MAX 64   /* read into the chunk buffer: 64 * 56 bytes */
#define PAGE HUT_PAGE_SIZE

struct strings {
	char *buf;    /* the strings, NUL-ended, one after another */
	size_t len;   /* bytes used in buf */
	uint64_t *at; /* each string's address in buf, for the stack builder */
	uint64_t n;
};

/* What exec learns of the file before it loads it. */
struct exec_image {
	struct hut_seg seg[HUT_MM_SEGS]; /* page rounded */
	uint64_t vaddr[HUT_MM_SEGS], offset[HUT_MM_SEGS], filesz[HUT_MM_SEGS];
	int n;
	uint64_t entry, phdr, phnum;
	uint64_t pages;	  /* in all segments */
	uint64_t *frames; /* one per page, filled by load() */
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

static long say(const char *path, const char *why, long err)
{
	char line[300], *p = line, *end = line + sizeof line - 1;
	p = hut_append(p, end, "hut: exec of ");
	p = hut_append(p, end, path);
	p = hut_append(p, end, ": ");
	p = hut_append(p, end, why);
	p = hut_append(p, end, err == -ENOEXEC ? ": ENOEXEC\n" : ": ENOMEM\n");
	*p = 0;
	hut_console_print(2, line);
	return err;
}

static long read_at(long fd, void *buf, uint64_t len, uint64_t off)
{
	long r = hut_sys_pread64(fd, (long)buf, (long)len, (long)off, 0, 0);
	return r == (long)len ? 0 : (r < 0 ? r : -ENOEXEC);
}

static long check_header(long fd, const char *path, Elf64_Ehdr *eh)
{
	long r = read_at(fd, eh, sizeof *eh, 0);
	if (r && r != -ENOEXEC)
		return r;
	if (r || hut_memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return say(path,
			   hut_memcmp(eh->e_ident, "#!", 2) ? "not an ELF executable"
							    : "a script (no interpreter is served)",
			   -ENOEXEC);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		return say(path, "not an x86-64 ELF", -ENOEXEC);
	if (eh->e_type != ET_EXEC)
		return say(path, "not a static executable (dynamic or position-independent)",
			   -ENOEXEC);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > PHDRS_MAX)
		return say(path, "bad program headers", -ENOEXEC);
	return 0;
}

/* An image built by hut carries its own libos in the window, which is not
 * loaded: this one serves it, if it speaks the same ABI. */
static long check_libos_abi(long fd, const char *path, const Elf64_Phdr *ph)
{
	struct hut_libos_abi abi;
	if (ph->p_vaddr != HUT_LIBOS_VA || ph->p_filesz < sizeof abi ||
	    read_at(fd, &abi, sizeof abi, ph->p_offset) || abi.magic != HUT_LIBOS_MAGIC)
		return say(path, "segments in the libos's window, but not a hut image", -ENOEXEC);
	if (abi.abi_version != HUT_ABI_VERSION)
		return say(path, "built for another libos (hut ABI differs): rebuild it", -ENOEXEC);
	return 0;
}

/* One PT_LOAD of the app (below the window) into x. */
static long add_segment(struct exec_image *x, const char *path, const Elf64_Phdr *ph)
{
	if (x->n == HUT_MM_SEGS)
		return say(path, "too many loadable segments", -ENOEXEC);
	if (ph->p_filesz > ph->p_memsz || ph->p_vaddr % PAGE != ph->p_offset % PAGE ||
	    ph->p_memsz > HUT_LIBOS_VA || ph->p_vaddr > HUT_LIBOS_VA - ph->p_memsz)
		return say(path, "a loadable segment that cannot be loaded", -ENOEXEC);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return say(path, "a segment both writable and executable", -ENOEXEC);
	uint64_t start = ph->p_vaddr & ~(PAGE - 1);
	uint64_t end = (ph->p_vaddr + ph->p_memsz + PAGE - 1) & ~(PAGE - 1);
	for (int i = 0; i < x->n; i++)
		if (start < x->seg[i].end && x->seg[i].start < end)
			return say(path, "overlapping loadable segments", -ENOEXEC);
	x->seg[x->n] = (struct hut_seg){start,
					end,
					ph->p_flags,
					ph->p_vaddr,
					ph->p_vaddr + ph->p_filesz,
					ph->p_offset & ~(PAGE - 1)};
	x->vaddr[x->n] = ph->p_vaddr;
	x->offset[x->n] = ph->p_offset;
	x->filesz[x->n] = ph->p_filesz;
	x->n++;
	x->pages += (end - start) / PAGE;
	return 0;
}

/* Where the program headers are once loaded (musl's start finds its TLS
 * through AT_PHDR): PT_PHDR, or the segment holding them in the file. */
static long find_phdrs(struct exec_image *x, const char *path, const Elf64_Ehdr *eh,
		       uint64_t pt_phdr)
{
	uint64_t len = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	x->phnum = eh->e_phnum;
	x->phdr = pt_phdr;
	for (int i = 0; i < x->n && !x->phdr; i++)
		if (eh->e_phoff >= x->offset[i] && eh->e_phoff - x->offset[i] <= x->filesz[i] &&
		    len <= x->filesz[i] - (eh->e_phoff - x->offset[i]))
			x->phdr = x->vaddr[i] + (eh->e_phoff - x->offset[i]);
	return x->phdr ? 0 : say(path, "program headers not in a loaded segment", -ENOEXEC);
}

/* Reads and checks the file's headers into x (ph: room for PHDRS_MAX):
 * 0 or -errno. */
static long read_image(long fd, const char *path, struct exec_image *x, Elf64_Phdr *ph)
{
	Elf64_Ehdr eh;
	long r = check_header(fd, path, &eh);
	if (r)
		return r;
	if ((r = read_at(fd, ph, eh.e_phnum * sizeof *ph, eh.e_phoff)))
		return r == -ENOEXEC ? say(path, "truncated program headers", r) : r;
	uint64_t pt_phdr = 0;
	for (int i = 0; i < eh.e_phnum && !r; i++) {
		if (ph[i].p_type == PT_INTERP || ph[i].p_type == PT_DYNAMIC)
			r = say(path, "a dynamic executable (only static ones are served)",
				-ENOEXEC);
		else if (ph[i].p_type == PT_PHDR)
			pt_phdr = ph[i].p_vaddr;
		else if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr >= HUT_LIBOS_VA) {
			if (ph[i].p_vaddr == HUT_LIBOS_VA)
				r = check_libos_abi(fd, path, &ph[i]);
		} else if (ph[i].p_type == PT_LOAD)
			r = add_segment(x, path, &ph[i]);
	}
	if (!r && x->n == 0)
		r = say(path, "nothing to load", -ENOEXEC);
	x->entry = eh.e_entry;
	return r ? r : find_phdrs(x, path, &eh, pt_phdr);
}

static void put_frames(struct exec_image *x, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++)
		hut_frame_unref(x->frames[i]);
}

/* Segment i's file bytes into its frames (zeroed already), through buf. */
static long load_segment(long fd, struct exec_image *x, int i, uint64_t *frames, uint8_t *buf)
{
	uint64_t lead = x->vaddr[i] - x->seg[i].start; /* bytes before p_vaddr in the page */
	for (uint64_t done = 0; done < x->filesz[i]; done += CHUNK) {
		uint64_t n = x->filesz[i] - done < CHUNK ? x->filesz[i] - done : CHUNK;
		long r = read_at(fd, buf, n, x->offset[i] + done);
		if (r)
			return r;
		for (uint64_t copied = 0; copied < n;) {
			uint64_t at = lead + done + copied, in_page = PAGE - at % PAGE;
			uint64_t m = n - copied < in_page ? n - copied : in_page;
			hut_memcpy((uint8_t *)frames[at / PAGE] + at % PAGE, buf + copied, m);
			copied += m;
		}
	}
	if (!(x->seg[i].flags & PF_W))
		for (uint64_t p = 0; p < (x->seg[i].end - x->seg[i].start) / PAGE; p++)
			frames[p] =
				hut_image_share_boot_page(x->seg[i].start + p * PAGE, frames[p]);
	return 0;
}

/* Every page of the image into frames of its own: 0 or -errno (nothing
 * kept). */
static long load(long fd, const char *path, struct exec_image *x, uint8_t *buf)
{
	long r = hut_mm_exec_prepare();
	if (r == 0 && hut_image_fits(x->seg, x->n))
		r = say(path, "it needs addresses where the libos's memory is", -ENOMEM);
	if (r)
		return r;
	x->frames = hut_kalloc(x->pages * sizeof *x->frames);
	if (!x->frames)
		return -ENOMEM;
	for (uint64_t i = 0; i < x->pages; i++)
		if (!(x->frames[i] = hut_frame_new())) {
			put_frames(x, i);
			return -ENOMEM;
		}
	uint64_t *frames = x->frames;
	for (int i = 0; i < x->n && !r; i++) {
		r = load_segment(fd, x, i, frames, buf);
		frames += (x->seg[i].end - x->seg[i].start) / PAGE;
	}
	if (r)
		put_frames(x, x->pages);
	return r;
}

/* The first address brk may give: after the image, or the arena's bottom
 * when the image ends below it. */
static uint64_t brk_after(const struct exec_image *x)
{
	uint64_t end = 0;
	for (int i = 0; i < x->n; i++)
		if (x->seg[i].end > end)
			end = x->seg[i].end;
	return end > hut_boot_info->heap_start ? end : hut_boot_info->heap_start;
}

/* The point of no return: the process becomes the new program. */
static long start_again(const char *path, const struct hut_file *file, const struct exec_image *x,
			const struct strings *argv, const struct strings *envp)
{
	hut_process_single_thread();
	hut_fd_close_on_exec();
	hut_signal_exec_reset();
	hut_mm_exec_release(brk_after(x));
	if (hut_image_exec(x->seg, x->n, x->frames, x->entry, x->phdr, x->phnum)) {
		/* Past the point of no return, as Linux: the process is killed. */
		say(path, "out of memory for page tables (killed)", -ENOMEM);
		hut_exit_process(HUT_EXIT_SIGNAL, SIGKILL);
	}
	if (file->path) /* the name /proc/self/exe shows: the file's canonical path */
		hut_image_name(file->path, file->path_len);
	uint64_t sp = hut_build_process_stack(hut_boot_info->stack_top, (uint64_t)argv->at, argv->n,
					      (uint64_t)envp->at, envp->n);
	struct hut_thread *t = hut_thread_now;
	hut_thread_name_from_path(t, path);
	hut_thread_set_fs(0); /* musl's _start makes its TLS */
	struct hut_syscall_frame *f = t->frame;
	uint64_t via = f->via;
	hut_memset(f, 0, sizeof *f);
	f->via = via;
	f->rip = x->entry;
	f->rflags = 0x202;
	hut_user_rsp = sp;
	return 0; /* %rdx 0 too: no atexit hook, as the kernel leaves it */
}

static long open_exec(long dirfd, const char *path, const char *kpath, long flags)
{
	long open_flags = O_RDONLY | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0);
	long fd = *kpath ? hut_sys_openat(dirfd, (long)path, open_flags, 0, 0, 0)
			 : hut_sys_dup(dirfd, 0, 0, 0, 0, 0);
	struct stat st;
	long r = fd < 0 ? fd : hut_sys_fstat(fd, (long)&st, 0, 0, 0, 0);
	if (r == 0 && (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)))
		r = -EACCES;
	if (r && fd >= 0)
		hut_sys_close(fd, 0, 0, 0, 0, 0);
	return r ? r : fd;
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
	long fd = open_exec(dirfd, path, kpath, flags);
	if (fd < 0)
		return fd;
	uint8_t *buf = hut_kalloc(ARGS_MAX + CHUNK);
	uint64_t *at = hut_kalloc(2 * WORDS_MAX * sizeof *at);
	struct exec_image x = {0};
	struct strings a, e;
	size_t used = 0;
	r = !buf || !at ? -ENOMEM : 0;
	if (r == 0 && (r = take_strings(argv, &a, (char *)buf, &used, at, WORDS_MAX)) == 0 &&
	    (r = take_strings(envp, &e, (char *)buf, &used, at + WORDS_MAX, WORDS_MAX)) == 0 &&
	    (r = read_image(fd, kpath, &x, (Elf64_Phdr *)(buf + ARGS_MAX))) == 0)
		r = load(fd, kpath, &x, buf + ARGS_MAX);
	struct hut_file *file = hut_fd_file(fd);
	hut_file_ref(file); /* its path names the program once it runs */
	hut_sys_close(fd, 0, 0, 0, 0, 0);
	if (r == 0)
		r = start_again(kpath, file, &x, &a, &e);
	hut_file_unref(file);
	if (x.frames)
		hut_kfree(x.frames, x.pages * sizeof *x.frames);
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
