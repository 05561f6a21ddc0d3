/*
 * kvlog: an append-only key-value log. Every record is one line,
 * "KEY VALUE CRC\n", appended with one write and made durable with fsync
 * before it is acknowledged; reading takes the last value of a key and
 * stops at a record that does not check out (a write cut short by a
 * crash). Used to show that an acknowledged write survives the monitor
 * being killed.
 *
 * usage: kvlog FILE put KEY VALUE   append, fsync, print "ok"
 *        kvlog FILE get KEY         print the value, or exit 1
 *        kvlog FILE load N          put key0..key<N-1>, printing "acked I" after each fsync
 *        kvlog FILE check           print how many good records there are (and a torn tail)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t crc(const char *s, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= (uint8_t)s[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static int put(int fd, const char *key, const char *value)
{
	char rec[512];
	int n = snprintf(rec, sizeof rec, "%s %s", key, value);
	if (n < 0 || n > 480 || strchr(key, ' ') || strchr(value, ' '))
		return -1;
	n += snprintf(rec + n, sizeof rec - (size_t)n, " %08x\n", crc(rec, (size_t)n));
	if (write(fd, rec, (size_t)n) != n || fsync(fd) != 0)
		return -1;
	return 0;
}

/* Walks the good records: calls fn(key, value) for each; returns their
 * count, and whether bytes were left over that are no good record. */
static long walk(FILE *f, void (*fn)(char *, char *, void *), void *ctx, int *torn)
{
	char line[600];
	long good = 0;
	*torn = 0;
	while (fgets(line, sizeof line, f)) {
		char *nl = strchr(line, '\n'), *last = strrchr(line, ' ');
		if (!nl || !last ||
		    strtoul(last + 1, NULL, 16) != crc(line, (size_t)(last - line))) {
			*torn = 1;
			break;
		}
		*last = 0;
		char *sp = strchr(line, ' ');
		if (!sp) {
			*torn = 1;
			break;
		}
		*sp = 0;
		fn(line, sp + 1, ctx);
		good++;
	}
	return good;
}

struct lookup {
	const char *key;
	char value[512];
	int found;
};

static void match(char *key, char *value, void *ctx)
{
	struct lookup *l = ctx;
	if (!strcmp(key, l->key)) {
		snprintf(l->value, sizeof l->value, "%s", value);
		l->found = 1;
	}
}

static void nothing(char *key, char *value, void *ctx)
{
	(void)key, (void)value, (void)ctx;
}

static int fail(const char *what)
{
	printf("kvlog: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "usage: kvlog FILE put|get|load|check ...\n"), 2;
	const char *file = argv[1], *cmd = argv[2];
	int torn;
	if (!strcmp(cmd, "put") || !strcmp(cmd, "load")) {
		int fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			return fail(file);
		if (!strcmp(cmd, "put"))
			return argc == 5 && put(fd, argv[3], argv[4]) == 0 ? puts("ok"),
			       0					   : fail("put");
		long n = argc == 4 ? strtol(argv[3], NULL, 10) : 0;
		for (long i = 0; i < n; i++) {
			char key[32], value[64];
			snprintf(key, sizeof key, "key%ld", i);
			snprintf(value, sizeof value, "value-%ld-%08lx", i, i * 2654435761ul);
			if (put(fd, key, value) != 0)
				return fail("load");
			printf("acked %ld\n", i);
			fflush(stdout);
		}
		return close(fd) == 0 ? 0 : fail("close");
	}
	FILE *f = fopen(file, "r");
	if (!f)
		return fail(file);
	if (!strcmp(cmd, "get") && argc == 4) {
		struct lookup l = {argv[3], "", 0};
		walk(f, match, &l, &torn);
		return l.found ? puts(l.value), 0 : 1;
	}
	long good = walk(f, nothing, NULL, &torn);
	printf("%ld records%s\n", good, torn ? ", then a torn one" : "");
	return 0;
}
