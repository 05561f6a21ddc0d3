/*
 * hut_cr3_load(uint64_t cr3): runs on the page tables at cr3 from now on.
 * CPL3 cannot write CR3, so it traps once: int3 here, whose gate
 * (traps.S, hut_bp_gate) knows this address and loads %rax into CR3. The
 * load also flushes the TLB, which makes it the way to flush as well.
 * Measured on kvm-pvm: ~28 us, no exit (docs/ARCHITECTURE.md, Processes).
 */
	.text
	.globl hut_cr3_load
	.type hut_cr3_load, @function
hut_cr3_load:
	mov %rdi, %rax
	int3
	.globl hut_cr3_resume
hut_cr3_resume:
	ret
	.size hut_cr3_load, . - hut_cr3_load

	.section .note.GNU-stack, "", @progbits
