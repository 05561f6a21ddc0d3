/*
 * Telling code built against glibc from code built for musl, before the
 * link. An object compiled with glibc's headers refers to symbols only
 * glibc defines: the _FORTIFY_SOURCE wrappers (__printf_chk,
 * __memcpy_chk, __open_2...), the C99/C23 scanf and strtol redirections
 * (__isoc99_sscanf), __libc_single_threaded, and anything bound to a
 * glibc symbol version (NAME@GLIBC_2.2.5). Linked into an image, those are
 * undefined references by the dozen, or worse, a mix of two libcs' ideas of
 * FILE and errno. One such reference is enough to refuse, naming it.
 */
#include "builder.h"

#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Is name a symbol only glibc defines (musl has none of these)? */
static int glibc_only(const char *name)
{
	static const char *const exact[] = {
		"__libc_single_threaded", "__open_2", "__open64_2", "__openat_2", "__openat64_2",
	};
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
		if (!strcmp(name, exact[i]))
			return 1;
	/* __stack_chk_fail (-fstack-protector) ends in _fail: musl has it. */
	if (has_prefix(name, "__") && len > 6 && !strcmp(name + len - 4, "_chk"))
		return 1;
	return has_prefix(name, "__isoc99_") || has_prefix(name, "__isoc23_") ||
	       strstr(name, "@GLIBC_") != NULL;
}

/* The first undefined glibc-only symbol one ELF object refers to, or NULL. */
static const char *glibc_reference(Elf *elf)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !(d = elf_getdata(scn, NULL)) || sh.sh_entsize == 0)
			continue;
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			if (gelf_getsym(d, (int)i, &sym) && sym.st_shndx == SHN_UNDEF &&
			    (name = elf_strptr(elf, sh.sh_link, sym.st_name)) && glibc_only(name))
				return name;
		}
	}
	return NULL;
}

/* Searches an archive's members (or the one object) for a glibc
 * reference; sets *member to the member's name. */
static const char *scan(int fd, Elf *elf, const char **member)
{
	if (elf_kind(elf) == ELF_K_ELF)
		return glibc_reference(elf);
	if (elf_kind(elf) != ELF_K_AR)
		return NULL; /* a linker script or LTO bytecode: ld will say */
	Elf_Cmd cmd = ELF_C_READ;
	for (Elf *m; (m = elf_begin(fd, cmd, elf)) != NULL; elf_end(m)) {
		Elf_Arhdr *h = elf_getarhdr(m);
		const char *ref = elf_kind(m) == ELF_K_ELF ? glibc_reference(m) : NULL;
		if (ref) {
			*member = h && h->ar_name ? builder_xstrdup(h->ar_name) : "a member";
			ref = builder_xstrdup(ref);
			elf_end(m);
			return ref;
		}
		cmd = elf_next(m);
	}
	return NULL;
}

void builder_check_musl(const char *what, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* unreadable: the caller's checks or ld will say */
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	const char *member = NULL, *ref = elf ? scan(fd, elf, &member) : NULL;
	if (ref)
		ref = builder_xstrdup(ref); /* the name lives in libelf's buffers */
	elf_end(elf);
	close(fd);
	if (!ref)
		return;
	const char *subject = strcmp(what, path) ? builder_xasprintf("%s: %s", what, path) : path;
	const char *uses = member ? builder_xasprintf("%s refers to %s", member, ref)
				  : builder_xasprintf("it refers to %s", ref);
	builder_die(1, subject, "built against glibc, not musl",
		    builder_xasprintf("%s, which only glibc has; rebuild it with hut-cc", uses));
}
