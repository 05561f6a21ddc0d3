/*
 * ustar archives in memory: enough to write an OCI image (a layer holding
 * one file; an archive holding the image layout) and to read one back for
 * `hut inspect`. Written entries are reproducible: owner 0, mtime 0, so the
 * same image always has the same digests. Read entries are hostile input:
 * every header's checksum is checked (as tar and containerd do), every size
 * against what is left of the buffer.
 */
#include "builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 512

void builder_buf_add(struct builder_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			builder_die(1, "hut", "out of memory", NULL);
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/* width - 1 octal digits and a NUL, as ustar wants (sizes up to 8 GiB). */
static void octal(char *field, size_t width, unsigned long long v)
{
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
	field[width - 1] = 0;
}

/* One entry: a regular file (data, len) or, with data NULL, a directory.
 * Names longer than ustar's 100 bytes are not needed here. */
void builder_tar_add(struct builder_buf *b, const char *name, const void *data, size_t len,
		     unsigned mode)
{
	char h[BLOCK] = {0};
	if (strlen(name) >= 100)
		builder_die(1, name, "name too long for the archive", NULL);
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, data ? len : 0);
	octal(h + 136, 12, 0);
	h[156] = data ? '0' : '5';
	memcpy(h + 257, "ustar", 6); /* magic "ustar\0", version "00" */
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 7, sum); /* six digits, NUL, and the space already there */
	builder_buf_add(b, h, BLOCK);
	if (!data)
		return;
	builder_buf_add(b, data, len);
	static const char zeros[BLOCK];
	if (len % BLOCK)
		builder_buf_add(b, zeros, BLOCK - len % BLOCK);
}

void builder_tar_end(struct builder_buf *b)
{
	static const char zeros[2 * BLOCK];
	builder_buf_add(b, zeros, sizeof zeros);
}

bool builder_tar_is(const void *data, size_t len)
{
	return len >= BLOCK && memcmp((const char *)data + 257, "ustar", 5) == 0;
}

static bool parse_octal(const char *field, size_t width, unsigned long long *v)
{
	*v = 0;
	size_t i = 0;
	while (i < width && field[i] == ' ')
		i++;
	if (i == width || field[i] < '0' || field[i] > '7')
		return false;
	for (; i < width && field[i] >= '0' && field[i] <= '7'; i++) {
		if (*v >> 60)
			return false;
		*v = *v * 8 + (unsigned)(field[i] - '0');
	}
	return true;
}

/* The header's checksum: its bytes summed with the checksum field taken as
 * eight spaces. POSIX sums them unsigned; some old tars summed them signed,
 * and GNU tar accepts either, so this does too. */
static bool checksum_ok(const char *h)
{
	unsigned long long stored;
	unsigned long sum = 0;
	long ssum = 0;
	if (!parse_octal(h + 148, 8, &stored))
		return false;
	for (int i = 0; i < BLOCK; i++) {
		char c = i >= 148 && i < 156 ? ' ' : h[i];
		sum += (unsigned char)c;
		ssum += (signed char)c;
	}
	return stored == sum || (long long)stored == ssum;
}

/* Why the header h cannot be read, or NULL. Extended headers (pax, GNU
 * long names) and ustar's name prefix would make the entry's real name
 * another than the one this reader sees: refused, never half-followed. */
static const char *header_problem(const char *h, unsigned long long *size)
{
	if (memcmp(h + 257, "ustar", 5) != 0)
		return "not a ustar header";
	if (!checksum_ok(h))
		return "header checksum wrong";
	if (!parse_octal(h + 124, 12, size))
		return "bad size field";
	if (strchr("xgLK", h[156]) && h[156])
		return "extended header (pax or GNU), which this reader does not follow";
	if (h[345] != 0)
		return "name with a ustar prefix, which this reader does not follow";
	return NULL;
}

int builder_tar_each(const void *data, size_t len,
		     int (*fn)(const char *name, const void *data, size_t len, void *ctx),
		     void *ctx, char *why, size_t why_len)
{
	const char *p = data;
	size_t off = 0;
	while (len - off >= BLOCK) {
		const char *h = p + off;
		if (h[0] == 0)
			return 0; /* the end */
		unsigned long long size;
		char name[101];
		const char *problem = header_problem(h, &size);
		memcpy(name, h, 100);
		name[100] = 0;
		off += BLOCK;
		if (!problem && size > len - off)
			problem = "entry runs past the end of the archive";
		if (problem) {
			snprintf(why, why_len, "tar entry at byte %zu: %s", off - BLOCK, problem);
			return -1;
		}
		if (h[156] == '0' || h[156] == 0) {
			int rc = fn(name, p + off, (size_t)size, ctx);
			if (rc)
				return rc;
		}
		off += (size_t)((size + BLOCK - 1) / BLOCK * BLOCK);
		if (off > len)
			off = len; /* the last entry's padding is missing: no end blocks */
	}
	snprintf(why, why_len, "tar archive without its end blocks");
	return -1;
}
