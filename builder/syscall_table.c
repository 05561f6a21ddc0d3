/*
 * What the libos makes of the syscalls an image can make: served, served
 * as a no-op, or not served, from the builder's copy of the libos's table
 * rows (scripts/syscall-table.sh, at make time); the report printed, the
 * build's warnings, and the table of reachable rows `hut build` links.
 */
#include "builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's names by number (scripts/syscall-names.sh), as the libos's
 * own "not implemented" warning names them. */
extern const char hut_syscall_names[]; /* one string, each name NUL-ended */
extern const unsigned hut_syscall_names_count;

/* rt_sigreturn has no row: the libos's entry (libos/sys/syscall.c,
 * hut_syscall) serves it before the table, for every image. */
#define SYS_RT_SIGRETURN 15

static const struct builder_syscall_row *row_of(long nr)
{
	for (size_t i = 0; i < builder_syscall_rows_count; i++)
		if (builder_syscall_rows[i].nr == nr)
			return &builder_syscall_rows[i];
	return NULL;
}

enum builder_served builder_syscall_served(long nr)
{
	const struct builder_syscall_row *row = row_of(nr);
	if (nr == SYS_RT_SIGRETURN)
		return BUILDER_SERVED;
	return !row ? BUILDER_UNSERVED : row->noop ? BUILDER_NOOP : BUILDER_SERVED;
}

const char *builder_syscall_name(long nr)
{
	const char *p = hut_syscall_names;
	if (nr < 0 || (unsigned long)nr >= hut_syscall_names_count)
		return NULL;
	for (; nr; nr--)
		p += strlen(p) + 1;
	return *p ? p : NULL;
}

static const char *served_word(enum builder_served s)
{
	return s == BUILDER_SERVED ? "served" : s == BUILDER_NOOP ? "no-op" : "unserved";
}

/* "f, g, h and 3 more" into buf. */
static const char *from_list(const struct builder_args *from, char *buf, size_t len)
{
	size_t used = 0, shown = 0;
	buf[0] = 0;
	for (; shown < from->n && shown < 3; shown++)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 shown ? ", " : "", from->v[shown]);
	if (shown < from->n && used < len)
		snprintf(buf + used, len - used, " and %zu more", from->n - shown);
	return buf;
}

void builder_syscall_report_print(const struct builder_syscall_report *r)
{
	size_t counts[3] = {0, 0, 0};
	for (long nr = 0; nr < BUILDER_SYSCALLS_MAX; nr++)
		if (r->from[nr].n)
			counts[builder_syscall_served(nr)]++;
	printf("syscalls: %zu (%zu served, %zu no-op, %zu unserved)\n", r->count,
	       counts[BUILDER_SERVED], counts[BUILDER_NOOP], counts[BUILDER_UNSERVED]);
	printf("  %-4s %-24s %-9s %s\n", "nr", "name", "libos", "from");
	char buf[1024];
	for (long nr = 0; nr < BUILDER_SYSCALLS_MAX; nr++) {
		if (!r->from[nr].n)
			continue;
		const char *name = builder_syscall_name(nr);
		printf("  %-4ld %-24s %-9s %s\n", nr, name ? name : "?",
		       served_word(builder_syscall_served(nr)),
		       from_list(&r->from[nr], buf, sizeof buf));
	}
	if (r->recorded)
		printf("recorded: by hut build, before the image was stripped\n");
	if (!r->any.n)
		printf("any:      no (every site's number is known)\n");
	for (size_t k = 0; k < r->any.n; k++)
		printf("any:      yes: %s\n", r->any.v[k]);
}

void builder_syscall_warn(const struct builder_syscall_report *r, const char *image)
{
	char buf[1024];
	for (long nr = 0; nr < BUILDER_SYSCALLS_MAX; nr++) {
		if (!r->from[nr].n || builder_syscall_served(nr) != BUILDER_UNSERVED)
			continue;
		const char *name = builder_syscall_name(nr);
		fprintf(stderr,
			"%s: warning: %s: syscall %s (%ld) is not served by the libos: as an "
			"appliance it fails with ENOSYS (from %s)\n",
			builder_prog, image, name ? name : "?", nr,
			from_list(&r->from[nr], buf, sizeof buf));
	}
}

/* The report itself, for `hut inspect --syscalls` of the image once strip
 * has taken the symbols the analysis needs: lines "NR<tab>FROM|FROM...",
 * in a section that is not loaded (BUILDER_SYSCALL_LIST). */
static void record_report(FILE *f, const struct builder_syscall_report *r)
{
	fprintf(f, "__asm__(\".pushsection " BUILDER_SYSCALL_LIST ",\\\"\\\",@progbits\\n\"\n");
	for (long nr = 0; nr < BUILDER_SYSCALLS_MAX; nr++) {
		if (!r->from[nr].n)
			continue;
		fprintf(f, "\t\".ascii \\\"%ld\\\\t", nr);
		for (size_t k = 0; k < r->from[nr].n; k++)
			fprintf(f, "%s%s", k ? "|" : "", r->from[nr].v[k]);
		fprintf(f, "\\\\n\\\"\\n\"\n");
	}
	fprintf(f, "\t\".popsection\");\n");
}

/* Whether the table has row (a syscall number): reached, or every row. */
static int has_row(const struct builder_syscall_report *r, long nr, int every)
{
	return nr < BUILDER_SYSCALLS_MAX && (every || r->from[nr].n);
}

const char *builder_syscall_table_source(const struct builder_syscall_report *r, const char *image,
					 int every)
{
	const char *path = builder_temp_file(image, "-syscalls.c");
	FILE *f = fopen(path, "w");
	if (!f)
		builder_die(1, path, "cannot write the syscall table", NULL);
	fprintf(f,
		"/* The syscall table of %s: the rows of the libos's table it can reach\n"
		" * (hut inspect --syscalls). It replaces the libos's weak whole table. */\n"
		"typedef long (*hut_syscall_fn)(long, long, long, long, long, long);\n",
		image);
	for (size_t i = 0; i < builder_syscall_rows_count; i++) {
		const struct builder_syscall_row *row = &builder_syscall_rows[i];
		if (has_row(r, row->nr, every))
			fprintf(f, "long %s(long, long, long, long, long, long);\n", row->handler);
	}
	/* As long as the highest row reached: the libos reads the size too. */
	long size = 1;
	for (size_t i = 0; i < builder_syscall_rows_count; i++) {
		const struct builder_syscall_row *row = &builder_syscall_rows[i];
		if (has_row(r, row->nr, every) && row->nr >= size)
			size = row->nr + 1;
	}
	if ((unsigned long)size > builder_syscall_table_size)
		builder_die(1, path, "a table row beyond the libos's TABLE_SIZE", NULL);
	/* In the libos's window (hut.ld: section .hut.table), where the libos
	 * reads it %rip-relative. */
	fprintf(f,
		"__attribute__((section(\".hut.table\"))) const unsigned "
		"hut_syscall_table_size = %ld;\n",
		size);
	fprintf(f,
		"__attribute__((section(\".hut.table\"))) const hut_syscall_fn "
		"hut_syscall_table[%ld] = {\n",
		size);
	for (size_t i = 0; i < builder_syscall_rows_count; i++) {
		const struct builder_syscall_row *row = &builder_syscall_rows[i];
		if (has_row(r, row->nr, every))
			fprintf(f, "\t[%ld] = %s,\n", row->nr, row->handler);
	}
	fprintf(f, "};\n");
	record_report(f, r);
	if (fclose(f) != 0)
		builder_die(1, path, "cannot write the syscall table", NULL);
	return path;
}
