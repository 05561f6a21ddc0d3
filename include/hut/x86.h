/*
 * x86-64 architecture constants the host programs that build a machine for
 * KVM share (hut-monitor's cpu_x86_64.c, bench/kvm-floor.c): page-table
 * entry bits, control-register bits and EFER bits, as the Intel SDM (vol. 3,
 * 2.5, 4.5) and the AMD APM (vol. 2, 3.1) name them. One definition, so
 * the floor benchmark's machine cannot drift from the monitor's.
 */
#ifndef HUT_X86_H
#define HUT_X86_H

/* Page-table entries (4-level paging). */
#define PTE_P 0x1ull   /* present */
#define PTE_W 0x2ull   /* writable */
#define PTE_U 0x4ull   /* user (CPL3) may access */
#define PTE_A 0x20ull  /* accessed */
#define PTE_D 0x40ull  /* dirty */
#define PTE_PS 0x80ull /* a large page (2 MiB in a PD, 1 GiB in a PDPT) */
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* CR0 and CR4. */
#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define CR4_FSGSBASE 0x10000ull

/* EFER (MSR 0xc0000080). */
#define EFER_SCE 0x1ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull

#endif
