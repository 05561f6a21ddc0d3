/*
 * load-tail.sh's program: whether its bss (an array nothing writes) and the
 * bytes from the end of its data segment (_end) to the end of that page
 * read zero, however the image file's bytes there, after the segment's
 * file bytes, were changed: as a process Linux's loader zeroes them, as an
 * appliance the monitor must.
 */
#include <stdint.h>
#include <stdio.h>

extern char _end[];

static char zeroed[256]; /* bss, never written */
int data_word = 1;	 /* data: the segment has file bytes before its bss */

/* The first nonzero byte of [from, to), or NULL. */
static const volatile char *nonzero(const volatile char *from, const volatile char *to)
{
	for (; from < to; from++)
		if (*from)
			return from;
	return NULL;
}

int main(void)
{
	const volatile char *end = _end;
	const volatile char *page_end = (const char *)(((uintptr_t)_end + 4095) & ~(uintptr_t)4095);
	const volatile char *bad = nonzero(zeroed, zeroed + sizeof zeroed);
	if (bad) {
		printf("bss byte %ld is 0x%02x\n", (long)(bad - zeroed), *bad & 0xff);
		return 1;
	}
	if ((bad = nonzero(end, page_end))) {
		printf("byte %ld after _end is 0x%02x\n", (long)(bad - end), *bad & 0xff);
		return 1;
	}
	printf("bss and the %ld bytes after _end in its page read zero (data %d)\n",
	       (long)(page_end - end), data_word);
	return 0;
}
