/*
 * The manifest note's placeholder: `hut build` fills in the descriptor after
 * linking. The section is not allocated, so no PT_LOAD holds it and the
 * manifest's CRC of the loadable bytes never covers the manifest itself.
 */
#include <hut/abi.h>

	.section .note.hut, "", @note
	.balign 4
	.long 4                        /* namesz: "hut\0" */
	.long HUT_MANIFEST_SIZE        /* descsz */
	.long HUT_NOTE_TYPE_MANIFEST   /* type */
	.asciz "hut"
	.balign 4
	.zero HUT_MANIFEST_SIZE
	.section .note.GNU-stack, "", @progbits
