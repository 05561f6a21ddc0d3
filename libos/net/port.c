/* What lwIP asks of its platform (lwip/arch/cc.h): time, randomness, asserts. */
#include "net.h"

#include <lwip/sys.h>

#include <stddef.h>

u32_t sys_now(void)
{
	return (u32_t)(hut_time_since_boot_ns() / 1000000u);
}

uint32_t hut_net_random(void)
{
	uint32_t r;
	hut_random_fill(&r, sizeof r);
	return r;
}

_Noreturn void hut_net_assert(const char *msg, const char *file, int line)
{
	char buf[256], *p = buf, *end = buf + sizeof buf - 2;
	p = hut_append(p, end, "hut: lwIP assertion failed: ");
	p = hut_append(p, end, msg);
	p = hut_append(p, end, " (");
	p = hut_append(p, end, file);
	p = hut_append(p, end, ":");
	p = hut_append_u64(p, end, (uint64_t)line);
	p = hut_append(p, end, ")\n");
	*p = 0;
	hut_console_print(2, buf);
	hut_exit(HUT_EXIT_SIGNAL, 6);
}

/* The C library functions lwIP calls (lwip/lwip.mk renames them). */
int hut_net_memcmp(const void *a, const void *b, size_t n);
int hut_net_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n > 0; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *hut_net_memmove(void *dst, const void *src, size_t n);
void *hut_net_memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s)
		return hut_memcpy(dst, src, n);
	while (n-- > 0)
		d[n] = s[n];
	return dst;
}

int hut_net_strncmp(const char *a, const char *b, size_t n);
int hut_net_strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

int hut_net_atoi(const char *s);
int hut_net_atoi(const char *s)
{
	int v = 0, neg = *s == '-';
	for (s += neg || *s == '+'; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}
