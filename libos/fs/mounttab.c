/*
 * The mount table itself (mount.c fills it at the first lookup): each
 * mount, and the same ordered longest path first for lookups. A file that
 * calls nothing, so that /proc can list the mounts without depending on
 * the file systems mount.c sets up.
 */
#include "vfs.h"

struct hut_mount hut_mounts[HUT_MOUNTS_MAX];
static struct hut_mount *longest_first[HUT_MOUNTS_MAX];
int hut_nmounts = -1; /* -1: not set up yet (mount.c) */

struct hut_mount *hut_mount_add(const char *path)
{
	struct hut_mount *m = &hut_mounts[hut_nmounts++];
	m->path = path;
	m->path_len = hut_strlen(path);
	m->dev = (uint64_t)hut_nmounts;
	return m;
}

/* Longest path first; of two equal paths, the later mount (it hides the
 * earlier one, as in Linux). Insertion sort: a handful of mounts. */
void hut_mount_order(void)
{
	for (int i = 0; i < hut_nmounts; i++) {
		int j = i;
		for (; j > 0 && longest_first[j - 1]->path_len <= hut_mounts[i].path_len; j--)
			longest_first[j] = longest_first[j - 1];
		longest_first[j] = &hut_mounts[i];
	}
}

static int is_prefix(const struct hut_mount *m, const char *canon, size_t len)
{
	if (m->path_len == 1)
		return 1;
	return len >= m->path_len && !hut_memcmp(canon, m->path, m->path_len) &&
	       (canon[m->path_len] == 0 || canon[m->path_len] == '/');
}

struct hut_mount *hut_mount_find(const char *canon, size_t len, const char **rel)
{
	for (int i = 0; i < hut_nmounts; i++) {
		struct hut_mount *m = longest_first[i];
		if (!is_prefix(m, canon, len))
			continue;
		const char *r = canon + (m->path_len == 1 ? 0 : m->path_len);
		*rel = *r == '/' ? r + 1 : r;
		return m;
	}
	*rel = canon + 1; /* unreachable: "/" is a prefix of everything */
	return longest_first[hut_nmounts - 1];
}

const struct hut_mount *hut_mount_nth(int i)
{
	return i >= 0 && i < hut_nmounts ? &hut_mounts[i] : NULL;
}
