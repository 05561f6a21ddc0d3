/*
 * floor-fw: the least a QEMU VM can do. A 64 KiB flat real-mode firmware
 * (for `qemu-system-x86_64 -bios`) that prints "floor" on the first serial
 * port and powers the VM off through isa-debug-exit; `hut bench` uses it to
 * measure what any QEMU launch costs before a guest kernel runs at all.
 *
 * Why 64 KiB: QEMU only takes a -bios whose size is a multiple of 64 KiB and
 * maps its last 128 KiB (here: all of it, twice) below 1 MiB; the CPU starts
 * at F000:FFF0, the last 16 bytes of the file. Everything runs at CPL0 in
 * real mode, which kvm-pvm emulates instruction by instruction, so the code
 * is a dozen instructions and touches no memory.
 *
 * The exit: writing V to port 0xf4 (-device isa-debug-exit,iobase=0xf4,
 * iosize=0x04) makes QEMU exit with status (V << 1) | 1; V = 0 gives 1,
 * which hut bench takes as success.
 */
	.code16
	.text
	.globl	floor_start
floor_start:
	cli
	mov	$0x3f8, %dx		/* COM1 data port; QEMU's UART needs no set-up to send */
	mov	$'f', %al
	out	%al, %dx
	mov	$'l', %al
	out	%al, %dx
	mov	$'o', %al
	out	%al, %dx
	out	%al, %dx
	mov	$'r', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	mov	$0xf4, %dx		/* isa-debug-exit */
	xor	%al, %al
	out	%al, %dx
halt:
	hlt				/* not reached: QEMU has exited */
	jmp	halt

	/* The reset vector: the last 16 bytes of the 64 KiB image. */
	.org	0xfff0
reset:
	jmp	floor_start
	.org	0x10000
