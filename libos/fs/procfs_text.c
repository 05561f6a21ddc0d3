/*
 * Printing /proc's texts: a few formats, into a buffer that counts what
 * did not fit (procfs.h says why).
 */
#include "procfs.h"

void hut_text_mem(struct hut_text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, t->len++)
		if (t->len < t->cap)
			t->buf[t->len] = s[i];
}

void hut_text_str(struct hut_text *t, const char *s)
{
	hut_text_mem(t, s, hut_strlen(s));
}

void hut_text_char(struct hut_text *t, char c)
{
	hut_text_mem(t, &c, 1);
}

static size_t digits_of(uint64_t v, char *out)
{
	char d[20];
	size_t n = 0;
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = d[n - 1 - i];
	return n;
}

void hut_text_u64(struct hut_text *t, uint64_t v)
{
	char d[20];
	hut_text_mem(t, d, digits_of(v, d));
}

void hut_text_i64(struct hut_text *t, int64_t v)
{
	if (v < 0) {
		hut_text_char(t, '-');
		hut_text_u64(t, (uint64_t)0 - (uint64_t)v);
		return;
	}
	hut_text_u64(t, (uint64_t)v);
}

void hut_text_u64_w(struct hut_text *t, uint64_t v, int width)
{
	char d[20];
	size_t n = digits_of(v, d);
	for (int pad = width - (int)n; pad > 0; pad--)
		hut_text_char(t, ' ');
	hut_text_mem(t, d, n);
}

void hut_text_hex(struct hut_text *t, uint64_t v, int digits)
{
	char d[16];
	int n = 0;
	do
		d[n++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	for (int pad = digits - n; pad > 0; pad--)
		hut_text_char(t, '0');
	while (n > 0)
		hut_text_char(t, d[--n]);
}

void hut_text_field(struct hut_text *t, const char *name, uint64_t v)
{
	hut_text_str(t, name);
	hut_text_str(t, ":\t");
	hut_text_u64(t, v);
	hut_text_char(t, '\n');
}

void hut_text_kb(struct hut_text *t, const char *name, uint64_t bytes)
{
	hut_text_str(t, name);
	hut_text_str(t, ":\t");
	hut_text_u64_w(t, bytes / 1024, 8);
	hut_text_str(t, " kB\n");
}

void hut_text_centis(struct hut_text *t, uint64_t ns)
{
	uint64_t centis = ns / (HUT_NS_PER_S / 100);
	hut_text_u64(t, centis / 100);
	hut_text_char(t, '.');
	hut_text_char(t, (char)('0' + centis % 100 / 10));
	hut_text_char(t, (char)('0' + centis % 10));
}
