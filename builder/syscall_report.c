/*
 * The syscalls an image can make, from the image alone (`hut inspect
 * --syscalls`, and `hut build` for its warnings and its table).
 *
 * Three sources, most exact first:
 *  1. hut's musl records every site of __syscall0..6 in the non-loaded
 *     section .hut.syscalls (musl/syscall_arch.h): the address of its
 *     `syscall` instruction and its number when the compiler knew it, or -1.
 *  2. A `syscall` instruction that no record names (musl's assembly, an
 *     app's own asm) is a raw site: its number is the constant the code
 *     puts in %eax on every path to it.
 *  3. The functions that take the number as an argument (syscall(), the
 *     cancellable path under read/write/close...) are followed to their
 *     callers, where the argument is a constant loaded before the call.
 * What cannot be known (a number computed at run time, a pointer to
 * syscall(), a stripped image) is listed under "any": the image may then
 * make any syscall.
 */
#include "builder.h"
#include "disasm.h"

#include <ctype.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOTES ".hut.syscalls"
#define NOTE_SIZE 16 /* .quad site, .quad number */
#define SCAN_STEPS 4096

/* Registers by their number in the instruction encoding. */
enum reg { REG_RAX = 0, REG_RSI = 6, REG_RDI = 7 };

/* musl 1.2.3's functions whose syscall number is an argument, and in which
 * register it comes: their own sites are reached through their callers.
 * __syscall_cp_c is sccp when cancellation is not linked; __cp_begin is a
 * label inside __syscall_cp_asm; do_setxid runs __setxid's number on each
 * thread; cancel_handler compares the interrupted PC with
 * __syscall_cp_asm's labels and calls nothing. hut_syscall_dispatch
 * (libos/sys/entry.S) is where the recorded sites go in an appliance; its
 * `syscall` is theirs as a process. A musl that changed these shows its
 * sites under "any", never silently missing. */
static const struct forwarder {
	const char *name;
	int reg; /* -1: calls none of them, makes no syscall of its own */
} forwarders[] = {
	{"syscall", REG_RDI},
	{"__syscall_cp", REG_RDI},
	{"__syscall_cp_c", REG_RDI},
	{"sccp", REG_RDI},
	{"__syscall_cp_asm", REG_RSI},
	{"__setxid", REG_RDI},
	{"__cp_begin", -1},
	{"__cp_end", -1},
	{"__cp_cancel", -1},
	{"do_setxid", -1},
	{"hut_syscall_dispatch", -1},
	{"cancel_handler", -1},
};

static const struct forwarder *forwarder(const char *name)
{
	for (size_t i = 0; i < sizeof forwarders / sizeof *forwarders; i++)
		if (!strcmp(forwarders[i].name, name))
			return &forwarders[i];
	return NULL;
}

static const char *sym_of(const struct disasm *d, size_t i)
{
	return i < d->n ? d->sym[d->insn[i].sym].name : "?";
}

/* Adds s (allocated; taken) to a unless it is there. */
static void add_unique(struct builder_args *a, char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], s)) {
			free(s);
			return;
		}
	builder_args_add(a, s);
}

static void add_from(struct builder_syscall_report *r, long nr, char *from)
{
	if (nr < 0 || nr >= BUILDER_SYSCALLS_MAX) {
		add_unique(&r->any, builder_xasprintf("%s makes syscall %ld, which Linux has not",
						      from, nr));
		free(from);
		return;
	}
	if (!r->from[nr].n)
		r->count++;
	add_unique(&r->from[nr], from);
}

/* --- which instruction writes a register, and with what --------------------- */

/* The 16 general registers, by their 64-, 32-, 16- and 8-bit names (and
 * the high bytes of the first four). */
static const char *const reg_names[16][5] = {
	{"%rax", "%eax", "%ax", "%al", "%ah"},	   {"%rcx", "%ecx", "%cx", "%cl", "%ch"},
	{"%rdx", "%edx", "%dx", "%dl", "%dh"},	   {"%rbx", "%ebx", "%bx", "%bl", "%bh"},
	{"%rsp", "%esp", "%sp", "%spl", NULL},	   {"%rbp", "%ebp", "%bp", "%bpl", NULL},
	{"%rsi", "%esi", "%si", "%sil", NULL},	   {"%rdi", "%edi", "%di", "%dil", NULL},
	{"%r8", "%r8d", "%r8w", "%r8b", NULL},	   {"%r9", "%r9d", "%r9w", "%r9b", NULL},
	{"%r10", "%r10d", "%r10w", "%r10b", NULL}, {"%r11", "%r11d", "%r11w", "%r11b", NULL},
	{"%r12", "%r12d", "%r12w", "%r12b", NULL}, {"%r13", "%r13d", "%r13w", "%r13b", NULL},
	{"%r14", "%r14d", "%r14w", "%r14b", NULL}, {"%r15", "%r15d", "%r15w", "%r15b", NULL},
};

/* The registers a call may change (the SysV ABI's caller-saved ones) and
 * those the `syscall` instruction changes. */
#define CALL_CLOBBERS 0x0fc7u	 /* rax rcx rdx rsi rdi r8-r11 */
#define SYSCALL_CLOBBERS 0x0803u /* rax rcx r11 */

/* The register an operand names, or -1; *part is 0 for the 64-bit name, 1
 * for the 32-bit one, 2, 3, 4 for the 16-bit, low and high bytes. */
static int reg_of(const char *op, size_t len, int *part)
{
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 5; i++)
			if (reg_names[r][i] && strlen(reg_names[r][i]) == len &&
			    !strncmp(op, reg_names[r][i], len)) {
				*part = i;
				return r;
			}
	return -1;
}

/* The operands split at the commas outside parentheses: the last is the
 * destination in AT&T syntax. Returns how many (at most 4). */
static int operands(const char *ops, const char *start[4], size_t len[4])
{
	int n = 0, depth = 0;
	const char *p = ops;
	if (!*ops)
		return 0;
	start[0] = ops;
	for (; *p; p++) {
		depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		if (*p == ',' && !depth && n < 3) {
			len[n] = (size_t)(p - start[n]);
			start[++n] = p + 1;
		}
	}
	len[n] = (size_t)(p - start[n]);
	return n + 1;
}

static int starts(const char *m, const char *prefix)
{
	return !strncmp(m, prefix, strlen(prefix));
}

/* Instructions that write a register without naming it as destination:
 * string instructions (objdump shows their operands with segments) step
 * %rdi and %rsi; the rest write %rax. */
static int implicit_write(const char *m, const char *ops, int nops, int r)
{
	if (r == REG_RDI)
		return strstr(ops, "%es:(%rdi)") != NULL;
	if (r == REG_RSI)
		return strstr(ops, "%ds:(%rsi)") != NULL;
	return starts(m, "mul") || starts(m, "div") || starts(m, "idiv") ||
	       (starts(m, "imul") && nops == 1) || !strcmp(m, "cltq") || !strcmp(m, "cwtl") ||
	       !strcmp(m, "cbtw") || starts(m, "cmpxchg") || starts(m, "rdtsc") ||
	       !strcmp(m, "cpuid") || !strcmp(m, "in") || !strcmp(m, "lahf") ||
	       !strcmp(m, "xgetbv") || !strcmp(m, "rdpkru");
}

/* Instructions that only read their operands. */
static int reads_only(const char *m)
{
	static const char *const exact[] = {"cmp",   "cmpb",  "cmpw",  "cmpl",	"cmpq", "test",
					    "testb", "testw", "testl", "testq", "bt",	"btl",
					    "btq",   "push",  "pushq", "ptest", "nop"};
	for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
		if (!strcmp(m, exact[i]))
			return 1;
	return starts(m, "nop") || starts(m, "ucomis") || starts(m, "comis") ||
	       starts(m, "prefetch");
}

enum write {
	WRITE_NONE,  /* leaves the register alone */
	WRITE_CONST, /* sets it to *value */
	WRITE_LOW8,  /* sets its low byte to *value, the rest as it was */
	WRITE_COPY,  /* copies register *value into it */
	WRITE_OTHER, /* anything else */
};

static enum write writes(const struct disasm_insn *in, int r, long *value)
{
	const char *m = in->mnem, *op[4];
	size_t len[4];
	int part, src;
	if (in->kind == DISASM_CALL)
		return (CALL_CLOBBERS >> r) & 1 ? WRITE_OTHER : WRITE_NONE;
	if (in->kind == DISASM_SYSCALL)
		return (SYSCALL_CLOBBERS >> r) & 1 ? WRITE_OTHER : WRITE_NONE;
	int n = operands(in->ops, op, len);
	if (starts(m, "xchg") || starts(m, "xadd")) {
		if (n == 2 && len[0] == len[1] && !strncmp(op[0], op[1], len[0]))
			return WRITE_NONE; /* xchg %ax,%ax: a nop */
		for (int i = 0; i < n; i++)
			if (reg_of(op[i], len[i], &part) == r)
				return WRITE_OTHER;
		return WRITE_NONE;
	}
	if (implicit_write(m, in->ops, n, r))
		return WRITE_OTHER;
	if (!n || reads_only(m) || in->kind != DISASM_OTHER ||
	    reg_of(op[n - 1], len[n - 1], &part) != r)
		return WRITE_NONE;
	int is_mov = !strcmp(m, "mov") || !strcmp(m, "movl") || !strcmp(m, "movq") ||
		     !strcmp(m, "movabs") || !strcmp(m, "movb");
	if (is_mov && n == 2 && op[0][0] == '$' && part <= 1) {
		*value = strtol(op[0] + 1, NULL, 0);
		if (part == 1)
			*value = (long)(uint32_t)*value;
		return WRITE_CONST;
	}
	if (is_mov && n == 2 && op[0][0] == '$' && part == 3) {
		*value = strtol(op[0] + 1, NULL, 0) & 0xff;
		return WRITE_LOW8; /* musl's clone.s: xor %eax,%eax; mov $56,%al */
	}
	int src_part;
	if (is_mov && n == 2 && part <= 1 && (src = reg_of(op[0], len[0], &src_part)) >= 0 &&
	    src_part == part) {
		*value = src;
		return WRITE_COPY;
	}
	if ((!strncmp(m, "xor", 3) || !strncmp(m, "sub", 3)) && n == 2 && len[0] == len[1] &&
	    !strncmp(op[0], op[1], len[0]) && part <= 1) {
		*value = 0;
		return WRITE_CONST;
	}
	return WRITE_OTHER;
}

/* --- following a register back along every path ---------------------------- */

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int has_value(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x;
}

struct edge {
	uint64_t target;
	size_t from;
};

/* One step of the walk: an instruction, the register followed there, and
 * the low byte already known for it (-1: none). */
struct step {
	size_t i;
	int reg, low8;
};

struct scan {
	const struct disasm *d;
	struct edge *edges; /* direct jumps by target */
	size_t nedges;
	struct edge *calls; /* direct calls by target */
	size_t ncalls;
	/* Addresses the code or the data hold as values (immediates, rip-
	 * relative references, stored words): a function among them may be
	 * called through a pointer. */
	uint64_t *taken;
	size_t ntaken;
	uint32_t *seen; /* per instruction: a bit per register (and low8 known) */
	size_t *touched, ntouched;
	struct step *stack;
	size_t nstack;
};

static int by_target(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	return x->target < y->target ? -1 : x->target > y->target;
}

/* The immediates of an instruction's operands ("$0x401234"). */
static void add_immediates(struct scan *s, const char *ops, size_t *cap)
{
	for (const char *p = ops; (p = strstr(p, "$0x")) != NULL; p += 3) {
		if (s->ntaken == *cap) {
			*cap *= 2;
			s->taken = realloc(s->taken, *cap * sizeof *s->taken);
			if (!s->taken)
				builder_die(1, "syscall report", "out of memory", NULL);
		}
		s->taken[s->ntaken++] = strtoull(p + 1, NULL, 16);
	}
}

static void scan_init(struct scan *s, const struct disasm *d, const uint64_t *words, size_t nwords)
{
	memset(s, 0, sizeof *s);
	s->d = d;
	s->edges = builder_xmalloc((d->n + 1) * sizeof *s->edges);
	s->calls = builder_xmalloc((d->n + 1) * sizeof *s->calls);
	size_t cap = nwords + d->n + 16;
	s->taken = builder_xmalloc(cap * sizeof *s->taken);
	if (nwords)
		memcpy(s->taken, words, nwords * sizeof *words);
	s->ntaken = nwords;
	for (size_t i = 0; i < d->n; i++) {
		const struct disasm_insn *in = &d->insn[i];
		if (in->target && (in->kind == DISASM_JUMP || in->kind == DISASM_BRANCH))
			s->edges[s->nedges++] = (struct edge){in->target, i};
		else if (in->target && in->kind == DISASM_CALL)
			s->calls[s->ncalls++] = (struct edge){in->target, i};
		else if (in->ref)
			s->taken[s->ntaken++] = in->ref;
		if (!in->target)
			add_immediates(s, in->ops, &cap);
	}
	qsort(s->edges, s->nedges, sizeof *s->edges, by_target);
	qsort(s->calls, s->ncalls, sizeof *s->calls, by_target);
	qsort(s->taken, s->ntaken, sizeof *s->taken, by_value);
	s->seen = calloc(d->n + 1, sizeof *s->seen);
	s->touched = builder_xmalloc(SCAN_STEPS * sizeof *s->touched);
	s->stack = builder_xmalloc((SCAN_STEPS + 1) * sizeof *s->stack);
	if (!s->seen)
		builder_die(1, "syscall report", "out of memory", NULL);
}

static void scan_free(struct scan *s)
{
	free(s->edges);
	free(s->calls);
	free(s->taken);
	free(s->seen);
	free(s->touched);
	free(s->stack);
}

static int push(struct scan *s, size_t i, int reg, int low8)
{
	uint32_t bit = 1u << (reg + (low8 >= 0 ? 16 : 0));
	if (s->seen[i] & bit)
		return 0;
	if (s->ntouched == SCAN_STEPS)
		return -1;
	if (!s->seen[i])
		s->touched[s->ntouched++] = i;
	s->seen[i] |= bit;
	s->stack[s->nstack++] = (struct step){i, reg, low8};
	return 0;
}

/* The first edge of edges[0..n) whose target is addr (n if none). */
static size_t first_edge(const struct edge *edges, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (edges[mid].target < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int push_preds(struct scan *s, size_t i, int reg, int low8);

/* Whether the instruction before a symbol runs into it: not a jump or a
 * return, and not the padding after one (nops, int3). */
static int falls_into(const struct disasm_insn *prev)
{
	return prev->kind != DISASM_JUMP && prev->kind != DISASM_END &&
	       strncmp(prev->mnem, "nop", 3) != 0 && strcmp(prev->mnem, "int3") != 0 &&
	       !(starts(prev->mnem, "xchg") && !strcmp(prev->ops, "%ax,%ax"));
}

/* The walk reached the entry of a function: the value comes from its
 * callers, followed when every one is a direct call in this image (its
 * address is held nowhere as a value: no pointer to it can be called) and
 * reg is an argument they set. Returns how many were pushed, or -1. */
static int push_callers(struct scan *s, size_t i, int reg, int low8)
{
	const struct disasm *d = s->d;
	uint64_t addr = d->insn[i].addr;
	int n = 0;
	if (has_value(s->taken, s->ntaken, addr) || forwarder(d->sym[d->insn[i].sym].name))
		return -1; /* a pointer to it; musl's own */
	for (size_t k = first_edge(s->calls, s->ncalls, addr);
	     k < s->ncalls && s->calls[k].target == addr; k++, n++)
		if (!((1u << reg) & 0x03c6u) || push_preds(s, s->calls[k].from, reg, low8) != 0)
			return -1; /* not rdi rsi rdx rcx r8 r9: no argument */
	return n;
}

/* Pushes the instructions that can run just before i: the one above it
 * when it falls through, every direct jump to i and, at the entry of a
 * function, its callers' instructions before their calls. */
static int push_preds(struct scan *s, size_t i, int reg, int low8)
{
	const struct disasm *d = s->d;
	int any = 0, entry = disasm_at_symbol(d, i);
	if (i > 0 &&
	    (entry ? falls_into(&d->insn[i - 1])
		   : d->insn[i - 1].kind != DISASM_JUMP && d->insn[i - 1].kind != DISASM_END)) {
		if (push(s, i - 1, reg, low8) != 0)
			return -1;
		any = 1;
	}
	for (size_t k = first_edge(s->edges, s->nedges, d->insn[i].addr);
	     k < s->nedges && s->edges[k].target == d->insn[i].addr; k++, any = 1)
		if (push(s, s->edges[k].from, reg, low8) != 0)
			return -1;
	if (entry) {
		int n = push_callers(s, i, reg, low8);
		if (n < 0)
			return -1;
		any |= n > 0;
	}
	return any ? 0 : -1; /* reached only by an indirect jump: not followed */
}

static int add_value(long *vals, size_t *nvals, size_t max, long v)
{
	for (size_t k = 0; k < *nvals; k++)
		if (vals[k] == v)
			return 0;
	if (*nvals == max)
		return -1;
	vals[(*nvals)++] = v;
	return 0;
}

/* The values register r holds when instruction site runs: each path back
 * from it must reach a constant written into r, through copies between
 * registers. 0 with them in vals, or -1 if some path writes something
 * else, enters from a caller or is too long to follow. */
static int values_at(struct scan *s, size_t site, enum reg r, long *vals, size_t *nvals, size_t max)
{
	int rc = 0;
	*nvals = 0;
	s->nstack = 0;
	if (push_preds(s, site, r, -1) != 0)
		rc = -1;
	while (!rc && s->nstack) {
		struct step at = s->stack[--s->nstack];
		long v;
		switch (writes(&s->d->insn[at.i], at.reg, &v)) {
		case WRITE_CONST:
			rc = add_value(vals, nvals, max, at.low8 >= 0 ? (v & ~0xffl) | at.low8 : v);
			break;
		case WRITE_LOW8:
			rc = at.low8 >= 0 ? 0 : push_preds(s, at.i, at.reg, (int)v);
			break;
		case WRITE_COPY:
			rc = push_preds(s, at.i, (int)v, at.low8);
			break;
		case WRITE_NONE:
			rc = push_preds(s, at.i, at.reg, at.low8);
			break;
		default:
			rc = -1;
		}
	}
	for (size_t k = 0; k < s->ntouched; k++)
		s->seen[s->touched[k]] = 0;
	s->ntouched = 0;
	return rc;
}

/* --- the records musl's sites left ----------------------------------------- */

struct note {
	uint64_t site;
	int64_t nr;
};

static int by_site(const void *a, const void *b)
{
	const struct note *x = a, *y = b;
	return x->site < y->site ? -1 : x->site > y->site;
}

/* The records of .hut.syscalls, sorted by site; sets *symbols when the
 * image has a symbol table, *list to the report hut build recorded (or
 * NULL). 0, or -1 with why. */
static int read_notes(const char *path, struct note **out, size_t *n, int *symbols, char **list,
		      char *why, size_t why_len)
{
	*out = NULL;
	*n = 0;
	*symbols = 0;
	*list = NULL;
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return builder_why(why, why_len, "cannot open it");
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		if (elf)
			elf_end(elf);
		close(fd);
		return builder_why(why, why_len, "not an ELF file");
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB)
			*symbols = 1;
		if (name && !strcmp(name, BUILDER_SYSCALL_LIST) && sh.sh_type == SHT_PROGBITS) {
			Elf_Data *data = elf_getdata(scn, NULL);
			size_t len = data ? data->d_size : 0;
			free(*list);
			*list = builder_xmalloc(len + 1);
			if (len)
				memcpy(*list, data->d_buf, len);
			(*list)[len] = 0;
		}
		if (!name || strcmp(name, NOTES) != 0 || sh.sh_type == SHT_NOBITS)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t count = data ? data->d_size / NOTE_SIZE : 0;
		*out = builder_xmalloc((count + 1) * sizeof **out);
		for (size_t i = 0; i < count; i++) {
			const unsigned char *p = (const unsigned char *)data->d_buf + i * NOTE_SIZE;
			memcpy(&(*out)[i].site, p, 8);
			memcpy(&(*out)[i].nr, p + 8, 8);
		}
		*n = count;
	}
	elf_end(elf);
	close(fd);
	qsort(*out, *n, sizeof **out, by_site);
	return 0;
}

static int noted(const struct note *notes, size_t n, uint64_t site)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (notes[mid].site < site)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && notes[lo].site == site;
}

/* --- the three sources ------------------------------------------------------ */

/* The recorded sites. One whose number the compiler did not know (a
 * __syscallN musl did not inline, a computed number) is walked back like
 * a raw one, through its function's callers. */
static void from_notes(struct builder_syscall_report *r, struct scan *s, const struct note *notes,
		       size_t n)
{
	const struct disasm *d = s->d;
	long vals[16];
	size_t nvals;
	for (size_t k = 0; k < n; k++) {
		if (!notes[k].site)
			continue; /* a site in code the link dropped */
		size_t i = disasm_find(d, notes[k].site);
		const char *fn = sym_of(d, i);
		if (notes[k].nr >= 0) {
			add_from(r, (long)notes[k].nr, builder_xstrdup(fn));
			continue;
		}
		if (forwarder(fn))
			continue;
		if (i == (size_t)-1 || values_at(s, i, REG_RAX, vals, &nvals, 16) != 0) {
			add_unique(
				&r->any,
				builder_xasprintf("%s makes a syscall with a computed number", fn));
			continue;
		}
		for (size_t v = 0; v < nvals; v++)
			add_from(r, vals[v], builder_xstrdup(fn));
	}
}

static void from_raw(struct builder_syscall_report *r, struct scan *s, const struct note *notes,
		     size_t n)
{
	const struct disasm *d = s->d;
	long vals[8];
	size_t nvals;
	for (size_t i = 0; i < d->n; i++) {
		if (d->insn[i].kind != DISASM_SYSCALL || noted(notes, n, d->insn[i].addr))
			continue;
		const char *fn = sym_of(d, i);
		if (forwarder(fn))
			continue;
		if (values_at(s, i, REG_RAX, vals, &nvals, 8) != 0) {
			add_unique(&r->any, builder_xasprintf("%s executes `syscall` with a "
							      "computed number",
							      fn));
			continue;
		}
		for (size_t k = 0; k < nvals; k++)
			add_from(r, vals[k], builder_xasprintf("%s (raw syscall)", fn));
	}
}

/* The address of the forwarder f in the image, or 0. */
static uint64_t forwarder_addr(const struct disasm *d, const struct forwarder *f)
{
	for (size_t k = 0; k < d->nsym; k++)
		if (!strcmp(d->sym[k].name, f->name))
			return d->sym[k].addr;
	return 0;
}

static void from_callers(struct builder_syscall_report *r, struct scan *s)
{
	const struct disasm *d = s->d;
	long vals[16];
	size_t nvals;
	for (size_t f = 0; f < sizeof forwarders / sizeof *forwarders; f++) {
		uint64_t at = forwarder_addr(d, &forwarders[f]);
		if (!at || (int)forwarders[f].reg < 0)
			continue;
		const char *fname = forwarders[f].name;
		char imm[32];
		snprintf(imm, sizeof imm, "$0x%" PRIx64, at);
		for (size_t i = 0; i < d->n; i++) {
			const struct disasm_insn *in = &d->insn[i];
			const char *fn = sym_of(d, i);
			if (forwarder(fn))
				continue;
			int calls = in->target == at &&
				    (in->kind == DISASM_CALL || in->kind == DISASM_JUMP);
			if (!calls) {
				/* A pointer to it: the calls through it cannot be followed. */
				const char *hit = strstr(in->ops, imm);
				if (in->ref == at ||
				    (hit && !isxdigit((unsigned char)hit[strlen(imm)])))
					add_unique(&r->any,
						   builder_xasprintf("%s takes the address of %s",
								     fn, fname));
				continue;
			}
			if (values_at(s, i, forwarders[f].reg, vals, &nvals, 16) != 0) {
				add_unique(&r->any,
					   builder_xasprintf("%s calls %s() with a computed "
							     "number",
							     fn, fname));
				continue;
			}
			for (size_t k = 0; k < nvals; k++)
				add_from(r, vals[k],
					 builder_xasprintf("%s (through %s)", fn, fname));
		}
	}
}

/* Every aligned 8-byte word of the image's loaded data (not its code): the
 * function pointers it stores are among them. Sorted; NULL if none. */
static uint64_t *data_words(const char *path, size_t *n)
{
	uint64_t *words = NULL;
	size_t cap = 0;
	*n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	for (Elf_Scn *scn = NULL; elf && (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) || (sh.sh_flags & SHF_EXECINSTR) ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t off = (8 - sh.sh_addr % 8) % 8; off + 8 <= data->d_size; off += 8) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 4096;
				words = realloc(words, cap * sizeof *words);
				if (!words)
					builder_die(1, path, "out of memory", NULL);
			}
			memcpy(&words[(*n)++], (const char *)data->d_buf + off, 8);
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	if (words)
		qsort(words, *n, sizeof *words, by_value);
	return words;
}

/* A forwarder's address stored in the image's data (a table of function
 * pointers): the calls through it cannot be followed. */
static void pointers_in_data(struct builder_syscall_report *r, const struct disasm *d,
			     const uint64_t *words, size_t n)
{
	for (size_t f = 0; f < sizeof forwarders / sizeof *forwarders; f++) {
		uint64_t at = forwarders[f].reg >= 0 ? forwarder_addr(d, &forwarders[f]) : 0;
		if (at && has_value(words, n, at))
			add_unique(&r->any, builder_xasprintf("a pointer to %s is stored in the "
							      "image's data",
							      forwarders[f].name));
	}
}

/* The report hut build recorded: lines "NR<tab>FROM|FROM...". */
static void from_list(struct builder_syscall_report *r, char *list)
{
	for (char *line = list, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *end, *from = strchr(line, '\t');
		long nr = strtol(line, &end, 10);
		if (!from || end != from)
			continue;
		for (char *f = strtok(from + 1, "|"); f; f = strtok(NULL, "|"))
			add_from(r, nr, builder_xstrdup(f));
	}
	r->recorded = 1;
}

int builder_syscall_report(const char *path, struct builder_syscall_report *r, char *why,
			   size_t why_len)
{
	struct note *notes;
	size_t n;
	int symbols;
	char *list;
	memset(r, 0, sizeof *r);
	if (read_notes(path, &notes, &n, &symbols, &list, why, why_len) != 0)
		return -1;
	if (!symbols && list) {
		/* Stripped after hut build made the report: the report stands. */
		from_list(r, list);
		free(list);
		free(notes);
		return 0;
	}
	free(list);
	struct disasm d;
	if (disasm_read(&d, path, why, why_len) != 0) {
		free(notes);
		return -1;
	}
	if (!symbols)
		builder_args_add(&r->any,
				 builder_xstrdup("the image has no symbols (stripped): the "
						 "callers of syscall() cannot be followed"));
	if (!n)
		builder_args_add(&r->any, builder_xstrdup("the image has no " NOTES " records (not "
							  "linked with hut's musl?)"));
	size_t nwords;
	uint64_t *words = data_words(path, &nwords);
	struct scan s;
	scan_init(&s, &d, words, nwords);
	from_notes(r, &s, notes, n);
	from_raw(r, &s, notes, n);
	from_callers(r, &s);
	pointers_in_data(r, &d, words, nwords);
	scan_free(&s);
	free(words);
	disasm_free(&d);
	free(notes);
	return 0;
}

void builder_syscall_report_free(struct builder_syscall_report *r)
{
	for (size_t i = 0; i < BUILDER_SYSCALLS_MAX; i++) {
		for (size_t k = 0; k < r->from[i].n; k++)
			free((char *)r->from[i].v[k]);
		builder_args_free(&r->from[i]);
	}
	for (size_t k = 0; k < r->any.n; k++)
		free((char *)r->any.v[k]);
	builder_args_free(&r->any);
}
