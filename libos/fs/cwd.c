/*
 * The process's place in the tree and its creation mask: path resolution
 * (path.c) starts at the cwd; opencalls.c changes both, pathkeep.c keeps
 * the cwd true after renames and removals. A file of its own, calling
 * nothing, so that /proc can show them without depending on resolution.
 */
#include "vfs.h"

char hut_cwd[HUT_CANON_MAX] = "/";
size_t hut_cwd_len = 1;
int hut_cwd_gone;
uint32_t hut_umask = 022;

void hut_cwd_set(const char *path, size_t len)
{
	hut_memcpy(hut_cwd, path, len);
	hut_cwd[len] = 0;
	hut_cwd_len = len;
	hut_cwd_gone = 0;
}
