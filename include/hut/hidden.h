/*
 * Included first in every libos (and lwIP) file by the build (-include):
 * every symbol the libos declares or defines is hidden, i.e. known to be
 * in this same static image. Position-independent code (-fpie) then
 * reaches functions and data %rip-relative, never through a GOT entry,
 * which the linker could only turn into a 32-bit absolute address: out of
 * reach of the libos's window at 64 GiB (builder/hut.ld).
 */
#pragma GCC visibility push(hidden)
