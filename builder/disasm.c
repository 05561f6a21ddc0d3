/*
 * An image's code from `objdump -d` (binutils, already a dependency for
 * strip): one line per instruction, one header per symbol. Parsing its
 * text is less code than decoding x86 here, and objdump knows every form.
 */
#include "disasm.h"
#include "builder.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJDUMP "objdump"

static const char *const prefixes[] = {"rep", "repz",	 "repnz", "repe",  "repne",    "lock",
				       "cs",  "ds",	 "es",	  "ss",	   "data16",   "addr32",
				       "bnd", "notrack", "rex",	  "rex.W", "xacquire", "xrelease"};

static int is_prefix(const char *w)
{
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (!strcmp(w, prefixes[i]))
			return 1;
	return 0;
}

static enum disasm_kind kind_of(const char *m, const char *ops)
{
	if (!strcmp(m, "syscall"))
		return DISASM_SYSCALL;
	if (!strncmp(m, "call", 4))
		return DISASM_CALL;
	if (!strncmp(m, "jmp", 3) || !strcmp(m, "ljmp"))
		return DISASM_JUMP;
	if (m[0] == 'j' || !strncmp(m, "loop", 4))
		return DISASM_BRANCH;
	if (!strncmp(m, "ret", 3) || !strncmp(m, "iret", 4) || !strcmp(m, "ud2") ||
	    !strcmp(m, "hlt") || !strcmp(m, "(bad)") || !strcmp(m, "sysret"))
		return DISASM_END;
	(void)ops;
	return DISASM_OTHER;
}

static void add_sym(struct disasm *d, uint64_t addr, const char *name)
{
	if (d->nsym == d->symcap) {
		d->symcap = d->symcap ? 2 * d->symcap : 1024;
		d->sym = realloc(d->sym, d->symcap * sizeof *d->sym);
		if (!d->sym)
			builder_die(1, OBJDUMP, "out of memory", NULL);
	}
	d->sym[d->nsym++] = (struct disasm_sym){addr, name};
}

/* "0000000000401000 <name>:" */
static int header_line(struct disasm *d, char *line)
{
	char *end;
	uint64_t addr = strtoull(line, &end, 16);
	size_t len = strlen(line);
	if (end == line || strncmp(end, " <", 2) != 0 || len < 3 || strcmp(line + len - 2, ">:"))
		return 0;
	line[len - 2] = 0;
	add_sym(d, addr, end + 2);
	return 1;
}

/* The hex address at the start of s ("401234 <f+0x4>"), or 0. */
static uint64_t leading_address(const char *s)
{
	char *end;
	if (!isxdigit((unsigned char)*s))
		return 0;
	uint64_t a = strtoull(s, &end, 16);
	return (*end == 0 || *end == ' ') ? a : 0;
}

/* "  401004:\tmnemonic operands  # comment" */
static void insn_line(struct disasm *d, char *line)
{
	char *end;
	uint64_t addr = strtoull(line, &end, 16);
	if (end == line || *end != ':' || end[1] != '\t' || !d->nsym)
		return;
	char *p = end + 2, *comment = strstr(p, " #");
	uint64_t ref = 0;
	if (comment) {
		*comment = 0;
		ref = leading_address(comment + 2 + strspn(comment + 2, " "));
	}
	char *mnem = NULL;
	while (*p) {
		p += strspn(p, " ");
		char *w = p;
		p += strcspn(p, " ");
		if (*p)
			*p++ = 0;
		if (!is_prefix(w)) {
			mnem = w;
			break;
		}
	}
	if (!mnem || !*mnem)
		return;
	p += strspn(p, " ");
	for (char *t = p + strlen(p); t > p && t[-1] == ' ';)
		*--t = 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 65536;
		d->insn = realloc(d->insn, d->cap * sizeof *d->insn);
		if (!d->insn)
			builder_die(1, OBJDUMP, "out of memory", NULL);
	}
	enum disasm_kind k = kind_of(mnem, p);
	uint64_t target =
		k == DISASM_CALL || k == DISASM_JUMP || k == DISASM_BRANCH ? leading_address(p) : 0;
	d->insn[d->n++] = (struct disasm_insn){addr, target, ref, d->nsym - 1, k, mnem, p};
}

static int by_addr(const void *a, const void *b)
{
	const struct disasm_insn *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int disasm_read(struct disasm *d, const char *path, char *why, size_t why_len)
{
	memset(d, 0, sizeof *d);
	struct builder_args cmd = {0};
	builder_args_add(&cmd, OBJDUMP);
	builder_args_add(&cmd, "-d");
	builder_args_add(&cmd, "-w");
	builder_args_add(&cmd, "--no-show-raw-insn");
	builder_args_add(&cmd, path);
	d->text = builder_capture(&cmd);
	builder_args_free(&cmd);
	if (!d->text)
		return builder_why(why, why_len, "%s -d failed", OBJDUMP);
	for (char *line = d->text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!header_line(d, line))
			insn_line(d, line);
	}
	/* Sections come in address order in a hut image (hut.ld); sort anyway. */
	int sorted = 1;
	for (size_t i = 1; i < d->n && sorted; i++)
		sorted = d->insn[i - 1].addr < d->insn[i].addr;
	if (!sorted)
		qsort(d->insn, d->n, sizeof *d->insn, by_addr);
	return 0;
}

void disasm_free(struct disasm *d)
{
	free(d->insn);
	free(d->sym);
	free(d->text);
	memset(d, 0, sizeof *d);
}

size_t disasm_find(const struct disasm *d, uint64_t addr)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->insn[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->insn[lo].addr == addr ? lo : (size_t)-1;
}

int disasm_at_symbol(const struct disasm *d, size_t i)
{
	return d->sym[d->insn[i].sym].addr == d->insn[i].addr;
}
