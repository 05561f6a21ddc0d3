/*
 * disasm.c: an image's code as binutils' objdump disassembles it, read
 * into instructions and the symbols they fall under. Only what the syscall
 * report needs (syscall_report.c): each instruction's mnemonic, operands
 * and direct branch target.
 */
#ifndef HUT_BUILDER_DISASM_H
#define HUT_BUILDER_DISASM_H

#include <stddef.h>
#include <stdint.h>

enum disasm_kind {
	DISASM_OTHER,
	DISASM_CALL,	/* a call: falls through, clobbers the caller-saved registers */
	DISASM_JUMP,	/* jmp: no fall-through */
	DISASM_BRANCH,	/* a conditional jump (jcc, loop, jrcxz) */
	DISASM_END,	/* ret, ud2, hlt: no fall-through */
	DISASM_SYSCALL, /* the instruction itself */
};

struct disasm_insn {
	uint64_t addr;
	uint64_t target; /* a direct call's or jump's target, else 0 */
	uint64_t ref;	 /* an address objdump annotates ("# 401234 <f>"), else 0 */
	size_t sym;	 /* the symbol it falls under (index into syms) */
	enum disasm_kind kind;
	const char *mnem; /* without prefixes (rep, lock, data16, cs, bnd, notrack) */
	const char *ops;  /* AT&T operands, the destination last; "" if none */
};

struct disasm_sym {
	uint64_t addr;
	const char *name;
};

struct disasm {
	char *text; /* objdump's output; every string points into it */
	struct disasm_insn *insn;
	size_t n, cap;
	struct disasm_sym *sym;
	size_t nsym, symcap;
};

/* Runs `objdump -d` on path and reads its output. 0, or -1 with why. */
int disasm_read(struct disasm *d, const char *path, char *why, size_t why_len);
void disasm_free(struct disasm *d);
/* The index of the instruction at addr, or (size_t)-1. */
size_t disasm_find(const struct disasm *d, uint64_t addr);
/* Whether the instruction is the first one of its symbol. */
int disasm_at_symbol(const struct disasm *d, size_t i);

#endif
