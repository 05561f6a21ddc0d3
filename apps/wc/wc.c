/*
 * wc: counts the lines, words and bytes of each file named (wc's format),
 * and with -e WORD also prints every line holding WORD, as grep -n would,
 * prefixed by the file's name. A file that cannot be read gets wc's own
 * message, and the exit status is 1: the errno text must be Linux's.
 *
 * usage: wc [-e WORD] FILE...     ("-" is stdin)
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counts {
	unsigned long lines, words, bytes;
};

static void count_line(const char *line, size_t len, struct counts *c)
{
	int in_word = 0;
	for (size_t i = 0; i < len; i++) {
		int space = line[i] == ' ' || line[i] == '\t' || line[i] == '\n' ||
			    line[i] == '\r' || line[i] == '\v' || line[i] == '\f';
		c->words += !space && !in_word;
		in_word = !space;
	}
	c->bytes += len;
	c->lines += len > 0 && line[len - 1] == '\n';
}

/* Reads f line by line (lines of any length: getline), counting and
 * printing the matches. */
static int scan(FILE *f, const char *name, const char *word, struct counts *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long n = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		n++;
		count_line(line, (size_t)len, c);
		if (word && memmem(line, (size_t)len, word, strlen(word)))
			printf("%s:%lu:%.*s%s", name, n, (int)len, line,
			       line[len - 1] == '\n' ? "" : "\n");
	}
	free(line);
	return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *word = NULL;
	struct counts total = {0, 0, 0};
	int i = 1, status = 0, files = 0;
	if (argc > 2 && !strcmp(argv[1], "-e")) {
		word = argv[2];
		i = 3;
	}
	for (; i < argc; i++, files++) {
		struct counts c = {0, 0, 0};
		FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;
		if (!f || scan(f, argv[i], word, &c) != 0) {
			fprintf(stdout, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else {
			printf("%7lu %7lu %7lu %s\n", c.lines, c.words, c.bytes, argv[i]);
		}
		if (f && f != stdin)
			fclose(f);
		total.lines += c.lines, total.words += c.words, total.bytes += c.bytes;
	}
	if (files > 1)
		printf("%7lu %7lu %7lu total\n", total.lines, total.words, total.bytes);
	return status;
}
