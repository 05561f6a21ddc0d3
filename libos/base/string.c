/* The few string routines the libos needs. Not the app's libc: that one may
 * use SSE, and the libos must leave the app's vector registers alone. */
#include "base.h"

void *hut_memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

/* Overlapping ranges too: copies backwards when dst lies above src. */
void *hut_memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
		return hut_memcpy(dst, src, n);
	uint8_t *d = (uint8_t *)dst + n;
	const uint8_t *s = (const uint8_t *)src + n;
	while (n--)
		*--d = *--s;
	return dst;
}

void *hut_memset(void *dst, int c, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

size_t hut_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

char *hut_append(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

char *hut_append_u64(char *p, char *end, uint64_t v)
{
	char digits[20];
	int n = 0;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0 && p < end)
		*p++ = digits[--n];
	return p;
}

char *hut_append_hex(char *p, char *end, uint64_t v)
{
	char digits[16];
	int n = 0;
	do
		digits[n++] = "0123456789abcdef"[v % 16];
	while ((v /= 16) != 0);
	while (n > 0 && p < end)
		*p++ = digits[--n];
	return p;
}

int hut_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

int hut_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
