/*
 * The volume cache's names: which cached node a volume path opened last,
 * so that the next read-only open of it needs no OPEN and its close no
 * CLOSE. A name holds its node, and the node keeps a host handle for
 * reads (given by a closed description: volume_cache.c) that it lends to
 * the opens a name answers; the host fd stays open while a name or a
 * borrower wants it.
 *
 * What an open by name costs, and what it checks:
 * - cache=always: nothing. The name, the node's pages and its stat are
 *   trusted until this guest changes something by path in the volume
 *   (then the names under it go and the stats are asked again); the
 *   host's own changes are not seen while the cache holds them.
 * - cache=auto: one LSTAT, which must show the same inode (else the name
 *   goes, and OPEN serves the open as before); a size or mtime that moved
 *   drops the node's pages, as a fresh OPEN would (close-to-open).
 * Names known missing (an lstat said ENOENT) are kept too, until this
 * guest makes them: lstat answers ENOENT with no exit, with cache=always
 * until then, with cache=auto for at most a second (as virtio-fs's
 * cache=auto keeps an entry; an open still asks the host).
 * A path whose components include a symlink never gets here: OPEN fails
 * on those, so no name is made for them. lstat of a named path in
 * cache=always is answered from the node's stat (an LSTAT or STAT the
 * guest made before) while the volume's generation has not moved.
 *
 * Bounded: NAMES_MAX names, the oldest forgotten first; each may keep one
 * host handle, well below the monitor's table (HUT_FILE_HANDLES_MAX).
 */
#include "volume_cache.h"

#include "base/clock.h"

#include <errno.h>

#define NAMES_MAX 256
/* How long cache=auto believes a name missing: virtio-fs's cache=auto
 * entry timeout. Opens always ask the host. */
#define MISSING_NS 1000000000ull
#define NAME_BUCKETS 512

struct vname {
	const struct hut_mount *mount;
	char *rel;
	size_t len;
	struct hut_vnode *node; /* NULL: known missing, until expires (auto) */
	uint64_t expires;
	struct vname *hnext;	     /* the hash chain */
	struct vname *older, *newer; /* age order */
};

static struct vname *buckets[NAME_BUCKETS];
static struct vname *oldest, *newest;
static unsigned count;

static unsigned bucket(const struct hut_mount *m, const char *rel, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)m;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)rel[i]) * 1099511628211ull;
	return (unsigned)(h % NAME_BUCKETS);
}

static struct vname *find(const struct hut_mount *m, const char *rel, size_t len)
{
	for (struct vname *v = buckets[bucket(m, rel, len)]; v; v = v->hnext)
		if (v->mount == m && v->len == len && !hut_memcmp(v->rel, rel, len))
			return v;
	return NULL;
}

static void forget(struct vname *v)
{
	struct vname **pv = &buckets[bucket(v->mount, v->rel, v->len)];
	while (*pv != v)
		pv = &(*pv)->hnext;
	*pv = v->hnext;
	if (v->older)
		v->older->newer = v->newer;
	else
		oldest = v->newer;
	if (v->newer)
		v->newer->older = v->older;
	else
		newest = v->older;
	count--;
	struct hut_vnode *n = v->node;
	hut_kfree(v->rel, v->len + 1);
	hut_kfree(v, sizeof *v);
	if (!n)
		return; /* a name known missing */
	n->names--;
	hut_vcache_put_handle(n);
	hut_vcache_unhold(n);
}

/* Before a snapshot: every name goes, and with the last name of a node
 * its kept host handle (a restore could not give it back; the names and
 * handles come again at the next opens). Handles an open file borrows
 * stay: those files are open, and the snapshot is refused. */
static void forget_all(void *arg)
{
	(void)arg;
	while (oldest)
		forget(oldest);
}

void hut_vname_remember(const struct hut_mount *m, const char *rel, struct hut_vnode *n)
{
	static int hooked;
	if (!hooked) {
		hooked = 1;
		hut_snapshot_hook_add(forget_all);
	}
	size_t len = hut_strlen(rel);
	struct vname *v = find(m, rel, len);
	if (v && v->node == n)
		return;
	if (v)
		forget(v);
	if (count >= NAMES_MAX)
		forget(oldest);
	if (!(v = hut_kalloc(sizeof *v)))
		return;
	if (!(v->rel = hut_kstrndup(rel, len))) {
		hut_kfree(v, sizeof *v);
		return;
	}
	v->mount = m;
	v->len = len;
	v->node = n;
	if (n)
		n->names++;
	unsigned b = bucket(m, rel, len);
	v->hnext = buckets[b];
	buckets[b] = v;
	v->older = newest;
	v->newer = NULL;
	if (newest)
		newest->newer = v;
	else
		oldest = v;
	newest = v;
	count++;
}

/* rel and every path under it: a rename, a removal or a change by path
 * makes their names untrue, and (stats_too) every node's stat in the
 * volume old (a link count or a ctime may have moved). */
void hut_vname_forget(const struct hut_mount *m, const char *rel, int stats_too)
{
	size_t len = hut_strlen(rel);
	hut_vdir_changed(m); /* a name comes or goes: the listings are old */
	if (stats_too)
		hut_vcache_changed(m);

	for (struct vname *v = oldest, *next; v; v = next) {
		next = v->newer;
		if (v->mount == m && v->len >= len && !hut_memcmp(v->rel, rel, len) &&
		    (v->len == len || len == 0 || v->rel[len] == '/'))
			forget(v);
	}
}

static long host_lstat(const struct hut_mount *m, const char *rel, uint32_t flags,
		       struct hut_file_stat *s)
{
	struct hut_hc_file hc = {.op = HUT_FILE_LSTAT,
				 .volume = (uint32_t)m->priv2,
				 .flags = flags,
				 .path = (uint64_t)rel,
				 .path_len = hut_strlen(rel)};
	long r = hut_vfile_call(&hc);
	*s = hc.stat;
	return r;
}

/* Whether n's stat holds the owner= view (owner.c in the monitor): one
 * from the host, with no change by path by this guest since (its
 * generation). */
static int view_known(const struct hut_vnode *n)
{
	return n->st_valid && n->st_gen == hut_vcache_generation(n->mount);
}

/* Whether the view n knows is still the host file's, which the host now
 * shows as s: the same inode and ctime (a change of the view, its xattr or
 * a chmod, moves the ctime; Linux since 6.13 gives a change after a stat
 * a fine-grained ctime, so even one within a tick shows). */
static int view_still(const struct hut_vnode *n, const struct hut_file_stat *s)
{
	return s->ino == n->st.ino && s->ctime_sec == n->st.ctime_sec &&
	       s->ctime_nsec == n->st.ctime_nsec;
}

/* cache=auto's revalidation: LSTAT, without the owner view's xattr read
 * when the node knows the view (the common case: saves one of the host's
 * two syscalls, ~1.5 of ~4.5 us a small file's open+read+close here); a
 * ctime that moved asks again with the view. */
static long revalidate_lstat(const struct hut_mount *m, const char *rel, const struct hut_vnode *n,
			     struct hut_file_stat *s)
{
	if (!view_known(n))
		return host_lstat(m, rel, 0, s);
	long r = host_lstat(m, rel, HUT_FILE_LSTAT_HOST, s);
	if (r != 0 || !view_still(n, s))
		return r != 0 ? r : host_lstat(m, rel, 0, s);
	s->mode = n->st.mode;
	s->uid = n->st.uid;
	s->gid = n->st.gid;
	return 0;
}

struct hut_vnode *hut_vname_open(const struct hut_mount *m, const char *rel)
{
	struct vname *v = find(m, rel, hut_strlen(rel));
	if (!v || !v->node || !v->node->has_rhandle)
		return NULL;
	struct hut_vnode *n = v->node;
	if (hut_vcache_mode(m) & HUT_VOLUME_CACHE_ALWAYS)
		return n;
	struct hut_file_stat s;
	if (revalidate_lstat(m, rel, n, &s) != 0 || s.ino != n->ino || !S_ISREG(s.mode)) {
		forget(v);
		return NULL;
	}
	hut_vcache_revalidate(n, &s);
	hut_vcache_saw_stat(n, &s);
	return n;
}

int hut_vname_lstat(const struct hut_mount *m, const char *rel, struct hut_file_stat *s)
{
	struct vname *v = find(m, rel, hut_strlen(rel));
	if (v && !v->node)
		return (hut_vcache_mode(m) & HUT_VOLUME_CACHE_ALWAYS) ||
				       hut_time_since_boot_ns() < v->expires
			       ? -ENOENT
			       : -1;
	struct hut_vnode *n = v ? v->node : NULL;
	if (!(hut_vcache_mode(m) & HUT_VOLUME_CACHE_ALWAYS) || !n || !n->st_valid ||
	    n->st_gen != hut_vcache_generation(m))
		return -1;
	*s = n->st;
	s->size = n->size;
	return 0;
}

/* rel is not there, and stays so until this guest makes it (cache=always)
 * or for MISSING_NS (cache=auto). SQLite looks for its hot journal and its
 * WAL before every read transaction: 140,000 LSTATs in speedtest1's size
 * 50 run, 30 s of its 35 here before this. */
void hut_vname_missing(const struct hut_mount *m, const char *rel)
{
	if (hut_vcache_mode(m) & HUT_VOLUME_CACHE_NONE)
		return;
	hut_vname_remember(m, rel, NULL);
	struct vname *v = find(m, rel, hut_strlen(rel));
	if (v)
		v->expires = hut_time_since_boot_ns() + MISSING_NS;
}

void hut_vname_saw_lstat(const struct hut_mount *m, const char *rel, const struct hut_file_stat *s)
{
	struct vname *v = find(m, rel, hut_strlen(rel));
	if (v && !v->node)
		forget(v); /* it was missing; it is there now */
	else if (v && v->node->ino == s->ino && S_ISREG(s->mode))
		hut_vcache_saw_stat(v->node, s);
}
