/*
 * The stack a new program starts on, as Linux's exec leaves it: argc,
 * argv, envp, the auxiliary vector and the strings they point to. The boot
 * (sys/boot.c) and exec (sys/execcalls.c) build it.
 */
#include "procstack.h"

#include "mem/mm.h"

#include <elf.h>

/* Pushes len bytes onto the stack growing down from *sp; returns their address. */
static uint64_t push_bytes(uint64_t *sp, const void *src, size_t len)
{
	*sp -= len;
	hut_memcpy((void *)*sp, src, len);
	return *sp;
}

/* Strings are copied out of the read-only boot info: C lets a program write
 * to its arguments and environment. Pushed last to first, so the first ends
 * lowest and they lie in order. */
static void copy_strings(uint64_t *sp, uint64_t array, uint64_t count)
{
	const uint64_t *src = (const uint64_t *)array;
	for (uint64_t i = count; i-- > 0;) {
		const char *s = (const char *)src[i];
		push_bytes(sp, s, hut_strlen(s) + 1);
	}
}

/* Points count words at the consecutive strings from *s on, then a NULL. */
static uint64_t *put_pointers(uint64_t *w, const char **s, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++, *s += hut_strlen(*s) + 1)
		*w++ = (uint64_t)*s;
	*w++ = 0;
	return w;
}

/* The image's program headers and entry: the running process's (the boot
 * image's, or the one it exec'd: mem/image.c). */
static uint64_t *put_auxv(uint64_t *v, const struct hut_mm *mm, uint64_t random)
{
	const uint64_t pairs[][2] = {
		{AT_PHDR, mm->phdr},   {AT_PHENT, sizeof(Elf64_Phdr)},
		{AT_PHNUM, mm->phnum}, {AT_PAGESZ, HUT_PAGE_SIZE},
		{AT_ENTRY, mm->entry}, {AT_UID, 0},
		{AT_EUID, 0},	       {AT_GID, 0},
		{AT_EGID, 0},	       {AT_SECURE, 0},
		{AT_CLKTCK, 100},      {AT_RANDOM, random},
		{AT_NULL, 0},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		*v++ = pairs[i][0];
		*v++ = pairs[i][1];
	}
	return v;
}

#define AUXV_WORDS (13 * 2)

/* Lays out, from top down: AT_RANDOM bytes, environment and argument
 * strings (argv and envp: arrays of string addresses), then (16-byte
 * aligned) argc, argv[], NULL, envp[], NULL, auxv, as Linux's exec does.
 * Returns the initial %rsp. The boot and exec (sys/execcalls.c) use it. */
uint64_t hut_build_process_stack(uint64_t top, uint64_t argv, uint64_t argc, uint64_t envp,
				 uint64_t envc)
{
	uint64_t sp = top;
	uint8_t random[16];
	hut_random_fill(random, sizeof random);
	uint64_t at_random = push_bytes(&sp, random, sizeof random);
	struct hut_mm *mm = hut_mm_now;
	mm->env_end = sp;
	copy_strings(&sp, envp, envc);
	mm->env_start = mm->arg_end = sp;
	copy_strings(&sp, argv, argc);
	mm->arg_start = sp;
	const char *s = (const char *)sp;
	uint64_t words = 1 + (argc + 1) + (envc + 1) + AUXV_WORDS;
	sp = (sp - words * 8) & ~15ull;
	uint64_t *w = (uint64_t *)sp;
	*w++ = argc;
	w = put_pointers(w, &s, argc);
	w = put_pointers(w, &s, envc);
	put_auxv(w, hut_mm_now, at_random);
	return sp;
}
