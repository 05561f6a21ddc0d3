/*
 * Volume directory listings kept in the guest: a directory's getdents64
 * records as the host gave them, so that listing it again costs no
 * request to the host. One listing per directory (the volume and the host
 * inode), shared by the descriptions reading it; each description reads
 * it at its own byte offset (f->pos), and finds it in the readers list
 * (its priv is the file cache's, which every volume description shares).
 *
 * When a listing is true:
 * - cache=always: until the guest changes any name on the volume (every
 *   such change goes through hut_vname_forget, which calls
 *   hut_vdir_changed): only this appliance changes the tree.
 * - cache=auto: the same, and at each opendir the host's mtime and inode of
 *   the directory (OPEN returns them) must be what they were when it was
 *   listed, as a file's pages are revalidated at open.
 * - cache=none: never kept.
 * A description keeps the listing it started with until it rewinds (POSIX
 * lets a stream miss changes made after opendir; rewinddir must see them).
 *
 * A seek to a position the listing does not hold, or a listing larger than
 * LISTING_MAX, sends the description back to the host (HUT_VDIR_HOST),
 * with the host's position set where the guest was. Bounded: at most
 * TOTAL_MAX bytes of listings; the oldest unused go first.
 */
#include "volume_cache.h"

#include <errno.h>

#define LISTING_MAX (256u << 10)
#define TOTAL_MAX (2u << 20)
#define CHUNK 65536 /* one GETDENTS request's buffer */

struct listing {
	const struct hut_mount *mount;
	uint64_t ino;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t users; /* descriptions reading it */
	uint64_t gen;	/* the mount's names generation when listed */
	int stale;	/* the guest changed the volume since: no new reader */
	uint8_t *data;
	size_t len, cap;
	struct listing *next;
};

/* struct linux_dirent64's head: d_ino, d_off, d_reclen. */
struct record_head {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
};

/* A description reading a listing. */
struct reader {
	const struct hut_file *f;
	struct listing *l;
	struct reader *next;
};

static struct listing *listings; /* newest first */
static struct reader *readers;
static size_t total;
static uint64_t generations[HUT_VOLUMES_MAX];

static uint32_t volume_of(const struct hut_mount *m)
{
	return (uint32_t)m->priv2;
}

static uint64_t generation(const struct hut_mount *m)
{
	return volume_of(m) < HUT_VOLUMES_MAX ? generations[volume_of(m)] : 0;
}

void hut_vdir_changed(const struct hut_mount *m)
{
	if (volume_of(m) < HUT_VOLUMES_MAX)
		generations[volume_of(m)]++;
}

static void listing_free(struct listing *l)
{
	struct listing **pl = &listings;
	while (*pl != l)
		pl = &(*pl)->next;
	*pl = l->next;
	total -= l->cap;
	if (l->data)
		hut_kfree(l->data, l->cap);
	hut_kfree(l, sizeof *l);
}

/* The oldest listings nobody reads go while the total is over its bound. */
static void trim(void)
{
	while (total > TOTAL_MAX) {
		struct listing *victim = NULL;
		for (struct listing *l = listings; l; l = l->next)
			if (l->users == 0)
				victim = l;
		if (!victim)
			return;
		listing_free(victim);
	}
}

static struct listing *listing_of(const struct hut_file *f)
{
	for (struct reader *r = readers; r; r = r->next)
		if (r->f == f)
			return r->l;
	return NULL;
}

/* f reads l now (NULL: none); 0, or -1 without memory. */
static int set_listing(const struct hut_file *f, struct listing *l)
{
	struct reader **pr = &readers;
	while (*pr && (*pr)->f != f)
		pr = &(*pr)->next;
	if (*pr && l) {
		(*pr)->l = l;
		return 0;
	}
	if (*pr) {
		struct reader *gone = *pr;
		*pr = gone->next;
		hut_kfree(gone, sizeof *gone);
		return 0;
	}
	if (!l)
		return 0;
	struct reader *r = hut_kalloc(sizeof *r);
	if (!r)
		return -1;
	*r = (struct reader){f, l, readers};
	readers = r;
	return 0;
}

static int fresh(const struct listing *l, const struct hut_file_stat *host)
{
	if (l->stale || l->gen != generation(l->mount))
		return 0;
	if (hut_vcache_mode(l->mount) & HUT_VOLUME_CACHE_ALWAYS)
		return 1;
	return l->mtime_sec == host->mtime_sec && l->mtime_nsec == host->mtime_nsec;
}

static struct listing *find(const struct hut_mount *m, uint64_t ino)
{
	for (struct listing *l = listings; l; l = l->next)
		if (l->mount == m && l->ino == ino && !l->stale)
			return l;
	return NULL;
}

void hut_vdir_open(struct hut_file *f, const struct hut_file_stat *host)
{
	f->pos = 0;
	if (hut_vcache_mode(f->mount) & HUT_VOLUME_CACHE_NONE) {
		f->priv2 |= HUT_VDIR_HOST;
		return;
	}
	struct listing *l = find(f->mount, host->ino);
	if (l && !fresh(l, host)) {
		l->stale = 1;
		if (l->users == 0)
			listing_free(l);
		l = NULL;
	}
	if (l && set_listing(f, l) == 0) {
		l->users++;
		return;
	}
	if (l) {
		f->priv2 |= HUT_VDIR_HOST;
		return;
	}
	/* Listed at the first getdents: what the host says now. */
	l = hut_kalloc(sizeof *l);
	if (!l) {
		f->priv2 |= HUT_VDIR_HOST;
		return;
	}
	*l = (struct listing){.mount = f->mount,
			      .ino = host->ino,
			      .mtime_sec = host->mtime_sec,
			      .mtime_nsec = host->mtime_nsec,
			      .users = 1,
			      .gen = generation(f->mount),
			      .next = listings};
	listings = l;
	if (set_listing(f, l) < 0) {
		listing_free(l);
		f->priv2 |= HUT_VDIR_HOST;
	}
}

static long host_getdents(struct hut_file *f, void *buf, size_t len)
{
	struct hut_hc_file hc = {.op = HUT_FILE_GETDENTS,
				 .handle = (uint32_t)f->priv2,
				 .buf = (uint64_t)buf,
				 .len = len};
	return hut_vfile_call(&hc);
}

static long host_seek(struct hut_file *f, int64_t off, int whence)
{
	struct hut_hc_file hc = {.op = HUT_FILE_SEEK,
				 .handle = (uint32_t)f->priv2,
				 .offset = (uint64_t)off,
				 .flags = (uint32_t)whence};
	return hut_vfile_call(&hc);
}

static int grow(struct listing *l, size_t need)
{
	if (l->len + need <= l->cap)
		return 0;
	size_t cap = l->cap ? l->cap * 2 : CHUNK;
	while (cap < l->len + need)
		cap *= 2;
	if (cap > LISTING_MAX)
		return -1;
	uint8_t *data = hut_kalloc(cap);
	if (!data)
		return -1;
	if (l->data) {
		hut_memcpy(data, l->data, l->len);
		hut_kfree(l->data, l->cap);
	}
	total += cap - l->cap;
	l->data = data;
	l->cap = cap;
	return 0;
}

/* The whole directory from the host, once: 0, 1 (too large or no memory:
 * read it from the host after all), or -errno. */
static long fill(struct hut_file *f, struct listing *l)
{
	uint8_t *chunk = hut_kalloc(CHUNK);
	long r;
	if (!chunk)
		return 1;
	while ((r = host_getdents(f, chunk, CHUNK)) > 0) {
		if (grow(l, (size_t)r) < 0) {
			r = 1;
			break;
		}
		hut_memcpy(l->data + l->len, chunk, (size_t)r);
		l->len += (size_t)r;
	}
	hut_kfree(chunk, CHUNK);
	l->gen = generation(l->mount); /* the guest changes nothing meanwhile */
	trim();
	return r;
}

static const struct record_head *record_at(const struct listing *l, size_t at)
{
	return (const struct record_head *)(l->data + at);
}

/* The host's position for byte offset at of the listing: the record
 * before it says where the next starts. */
static int64_t cookie_at(const struct listing *l, size_t at)
{
	int64_t c = 0;
	for (size_t p = 0; p < at && p < l->len; p += record_at(l, p)->reclen)
		c = record_at(l, p)->off;
	return c;
}

static void let_go(struct hut_file *f)
{
	struct listing *l = listing_of(f);
	set_listing(f, NULL);
	if (l && --l->users == 0 && (l->stale || l->len == 0 || l->gen != generation(l->mount)))
		listing_free(l);
}

/* Back to the host, at the position the guest had. */
static long to_host(struct hut_file *f)
{
	struct listing *l = listing_of(f);
	int64_t c = l ? cookie_at(l, (size_t)f->pos) : 0;
	let_go(f);
	f->priv2 |= HUT_VDIR_HOST;
	long r = host_seek(f, c, SEEK_SET);
	return r < 0 ? r : 0;
}

long hut_vdir_getdents(struct hut_file *f, void *buf, size_t len)
{
	struct listing *l = listing_of(f);
	if ((f->priv2 & HUT_VDIR_HOST) || !l)
		return -HUT_EUNCACHED;
	if (l->data == NULL && l->len == 0 && f->pos == 0) {
		long r = fill(f, l);
		if (r < 0) {
			let_go(f);
			f->priv2 |= HUT_VDIR_HOST;
			return r;
		}
		if (r > 0) {
			long s = to_host(f);
			return s < 0 ? s : -HUT_EUNCACHED;
		}
	}
	size_t used = 0, at = (size_t)f->pos;
	while (at < l->len && record_at(l, at)->reclen <= len - used) {
		size_t n = record_at(l, at)->reclen;
		hut_memcpy((uint8_t *)buf + used, l->data + at, n);
		used += n;
		at += n;
	}
	if (used == 0 && at < l->len)
		return -EINVAL; /* the buffer cannot take the next record */
	f->pos = at;
	return (long)used;
}

/* SEEK_SET to 0 (rewinddir) lists anew; SEEK_SET to a position a record
 * gave (seekdir) and SEEK_CUR 0 (telldir) stay in the listing; anything
 * else goes to the host from where the guest was. */
long hut_vdir_seek(struct hut_file *f, int64_t off, int whence)
{
	struct listing *l = listing_of(f);
	if ((f->priv2 & HUT_VDIR_HOST) || !l)
		return -HUT_EUNCACHED;
	if (whence == SEEK_SET && off == 0) {
		let_go(f);
		l = find(f->mount, f->ino);
		if (l && !l->stale && l->gen == generation(f->mount) &&
		    (hut_vcache_mode(f->mount) & HUT_VOLUME_CACHE_ALWAYS) &&
		    set_listing(f, l) == 0) {
			l->users++;
			f->pos = 0;
			return 0;
		}
		f->priv2 |= HUT_VDIR_HOST; /* auto: the host says what is there now */
		return -HUT_EUNCACHED;
	}
	if (l->len == 0 && l->data == NULL) {
		long r = to_host(f);
		return r < 0 ? r : -HUT_EUNCACHED;
	}
	if (whence == SEEK_CUR && off == 0)
		return cookie_at(l, (size_t)f->pos);
	if (whence == SEEK_SET)
		for (size_t p = 0; p < l->len; p += record_at(l, p)->reclen)
			if (record_at(l, p)->off == off) {
				f->pos = p + record_at(l, p)->reclen;
				return off;
			}
	long r = to_host(f);
	return r < 0 ? r : -HUT_EUNCACHED;
}

void hut_vdir_release(struct hut_file *f)
{
	if (!(f->priv2 & HUT_VDIR_HOST))
		let_go(f);
}
