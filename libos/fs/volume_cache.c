/*
 * The volume page cache. A volume operation costs an exit (25-45 us here),
 * a copy between guest pages well under one; so volume file data is kept
 * in arena pages, one node per host file (the volume and the host inode)
 * that every description of it shares, and the host is asked only for
 * what the cache lacks and told only what the app needs kept:
 *
 * - Reads: a hit is a copy; a miss reads the missing run in one request,
 *   and a sequential reader reads ahead (doubling up to 1 MiB): the pages
 *   ahead are posted to the host without waiting (in flight), and a reader
 *   waits only when it reaches one of them. A read of 256 KiB or more
 *   while nothing is dirty goes to the host directly.
 * - Writes: into the pages (write-back), which become dirty; a partial
 *   page below the end that is not cached is read first. Dirty pages reach
 *   the host, in runs of up to 1 MiB an exit, on fsync and fdatasync, on
 *   close of a description while the file has dirty pages (close-to-open,
 *   as NFS and virtio-fs flush), before a shared mapping or an allocation,
 *   under memory pressure, and at the process's end. Writes that Linux
 *   would make durable at once, or whose place only the host knows, go to
 *   the host as before: O_SYNC, O_DSYNC, O_DIRECT, O_APPEND, writes of
 *   256 KiB or more (one exit is cheap next to them), and every write to
 *   a size= volume (its count must see each allocation when it
 *   happens); their bytes also land in the cached pages.
 * - Opens: cache=auto compares the host's size and mtime OPEN returns with
 *   what the node last saw from the host, and drops the node's pages when
 *   they differ (another inode is another node); cache=always trusts the
 *   node. A node with dirty pages is newer than the host and keeps them.
 *
 * Bounded: at most a quarter of the arena; clean pages are reclaimed
 * oldest first, and all of them when the memory layer finds no free run
 * (a hook); when nothing clean is left, the dirty pages are written back
 * first. Dirty pages are never dropped, except when a close's write-back
 * fails (then, as Linux after a writeback error, they are lost and said
 * so in the log).
 */
#include "volume_cache.h"

#include "proc/proc.h" /* hut_at_process_exit */

#include <errno.h>

#define PAGE HUT_PAGE_SIZE
#define BATCH 256	       /* pages one exit moves: 1 MiB */
#define READAHEAD_MIN 4	       /* pages a sequential reader's first miss reads ahead */
#define PAGE_BUCKETS 4096      /* of the (node, index) hash */
#define NODE_BUCKETS 256       /* of the (mount, inode) hash */
#define WRITE_MAX (1ull << 62) /* past it a write goes to the host, which says EFBIG */
/* A write this large goes to the host at once: its one exit is amortized,
 * and holding it back would only add a copy (measured: 1 MiB writes at
 * half the speed through the cache). */
#define DIRECT_MIN (256u << 10)

struct cpage {
	struct hut_vnode *node;
	uint64_t index;
	uint8_t *data;
	int dirty;
	int inflight;		     /* a read-ahead is filling it: on no list but the node's */
	struct cpage *hnext;	     /* the hash chain */
	struct cpage *lprev, *lnext; /* the clean pages, oldest first */
	struct cpage *nprev, *nnext; /* the node's pages */
};

static uint32_t modes[HUT_VOLUMES_MAX];
static struct cpage *page_hash[PAGE_BUCKETS];
static struct hut_vnode *node_hash[NODE_BUCKETS];
static struct cpage *oldest, *newest; /* clean pages */
static uint64_t cached_pages, nodes_of_mount[HUT_VOLUMES_MAX];
static int busy; /* inside an operation: the pressure hook leaves pages alone */

static uint64_t cache_max(void)
{
	return hut_pages_total() / 4;
}

/* Page records come from one run made at the first page, room for the
 * cap's worth (72 bytes a page: under 2% of what they describe), so that
 * they do not lie among the data pages: freed data pages then make runs
 * long enough for the app's allocations (with a record allocated beside
 * each page, 1 MiB mallocs got 13 of 64 MiB less after a reclaim). */
static struct cpage *pool;
static int pool_made;

static struct cpage *record_new(void)
{
	if (!pool_made) {
		uint64_t count = cache_max() + 1;
		struct cpage *run = hut_kalloc(count * sizeof *run);
		if (!run)
			return NULL;
		for (uint64_t i = 0; i < count; i++) {
			run[i].hnext = pool;
			pool = &run[i];
		}
		pool_made = 1;
	}
	if (!pool)
		return NULL;
	struct cpage *p = pool;
	pool = p->hnext;
	return p;
}

static void record_free(struct cpage *p)
{
	p->hnext = pool;
	pool = p;
}

static struct hut_iovec batch[BATCH]; /* one exit's iovecs: libos memory, as the monitor wants */

static uint32_t volume_of(const struct hut_mount *m)
{
	return (uint32_t)m->priv2;
}

static unsigned page_bucket(const struct hut_vnode *n, uint64_t index)
{
	return (unsigned)((((uint64_t)n >> 4) ^ (index * 0x9e3779b97f4a7c15ull)) >> 20) %
	       PAGE_BUCKETS;
}

static unsigned node_bucket(const struct hut_mount *m, uint64_t ino)
{
	return (unsigned)(((uint64_t)m >> 4) ^ ino) % NODE_BUCKETS;
}

/* The page, even one a read-ahead still fills. */
static struct cpage *find_page(const struct hut_vnode *n, uint64_t index)
{
	for (struct cpage *p = page_hash[page_bucket(n, index)]; p; p = p->hnext)
		if (p->node == n && p->index == index)
			return p;
	return NULL;
}

static void ra_settle(void);

/* The page, once whatever fills it is done (NULL: not cached, or its
 * read-ahead failed). */
static struct cpage *lookup(const struct hut_vnode *n, uint64_t index)
{
	struct cpage *p = find_page(n, index);
	if (p && p->inflight) {
		ra_settle();
		p = find_page(n, index);
	}
	return p;
}

/* --- the clean list ----------------------------------------------------- */

static void clean_remove(struct cpage *p)
{
	if (p->lprev)
		p->lprev->lnext = p->lnext;
	else
		oldest = p->lnext;
	if (p->lnext)
		p->lnext->lprev = p->lprev;
	else
		newest = p->lprev;
	p->lprev = p->lnext = NULL;
}

static void clean_append(struct cpage *p)
{
	p->lprev = newest;
	p->lnext = NULL;
	if (newest)
		newest->lnext = p;
	else
		oldest = p;
	newest = p;
}

static void touch(struct cpage *p)
{
	if (!p->dirty && p != newest) {
		clean_remove(p);
		clean_append(p);
	}
}

static void make_dirty(struct cpage *p)
{
	struct hut_vnode *n = p->node;
	if (p->dirty)
		return;
	clean_remove(p);
	p->dirty = 1;
	if (n->dirty++ == 0) {
		n->dirty_lo = p->index;
		n->dirty_hi = p->index + 1;
	}
	n->dirty_lo = p->index < n->dirty_lo ? p->index : n->dirty_lo;
	n->dirty_hi = p->index >= n->dirty_hi ? p->index + 1 : n->dirty_hi;
}

static void make_clean(struct cpage *p)
{
	if (!p->dirty)
		return;
	p->dirty = 0;
	p->node->dirty--;
	clean_append(p);
}

/* --- nodes and pages ------------------------------------------------------ */

static struct hut_vnode *find_node(const struct hut_mount *m, uint64_t ino)
{
	for (struct hut_vnode *n = node_hash[node_bucket(m, ino)]; n; n = n->hnext)
		if (n->mount == m && n->ino == ino)
			return n;
	return NULL;
}

/* A node goes when nothing holds it: no page, no description, no name. */
static int unheld(const struct hut_vnode *n)
{
	return n->pages == 0 && n->opens == 0 && n->names == 0;
}

void hut_vcache_put_handle(struct hut_vnode *n)
{
	if (!n->has_rhandle || n->names > 0 || n->borrowers > 0)
		return;
	struct hut_hc_file hc = {.op = HUT_FILE_CLOSE, .handle = n->rhandle};
	hut_vfile_post(&hc); /* not waited for: nothing here needs its answer */
	n->has_rhandle = 0;
}

static void node_free(struct hut_vnode *n)
{
	hut_vcache_put_handle(n);
	struct hut_vnode **pn = &node_hash[node_bucket(n->mount, n->ino)];
	while (*pn != n)
		pn = &(*pn)->hnext;
	*pn = n->hnext;
	nodes_of_mount[volume_of(n->mount)]--;
	hut_kfree(n, sizeof *n);
}

static void ra_forget(struct cpage *p);

static void page_free(struct cpage *p)
{
	struct hut_vnode *n = p->node;
	struct cpage **ph = &page_hash[page_bucket(n, p->index)];
	int listed = !p->dirty && !p->inflight;
	if (p->inflight)
		ra_forget(p); /* the host must be done writing it first */
	while (*ph != p)
		ph = &(*ph)->hnext;
	*ph = p->hnext;
	if (p->dirty)
		n->dirty--;
	else if (listed)
		clean_remove(p);
	if (p->nprev)
		p->nprev->nnext = p->nnext;
	else
		n->first = p->nnext;
	if (p->nnext)
		p->nnext->nprev = p->nprev;
	hut_pages_free(p->data, 1);
	record_free(p);
	n->pages--;
	cached_pages--;
	if (unheld(n))
		node_free(n);
}

static long flush_node(struct hut_vnode *n);

/* Makes room for one page: the oldest clean page goes; with none, what
 * is dirty is written back first (the node asking, then every node). */
static int evict_one(struct hut_vnode *asking)
{
	if (!oldest && asking->dirty)
		flush_node(asking);
	for (unsigned b = 0; !oldest && b < NODE_BUCKETS; b++)
		for (struct hut_vnode *n = node_hash[b]; n && !oldest; n = n->hnext)
			if (n->dirty)
				flush_node(n);
	if (!oldest)
		return -ENOMEM;
	page_free(oldest);
	return 0;
}

/* A new page of n at index, zeroed and not yet on any list but the
 * node's and the hash; NULL without memory even after reclaiming. */
static struct cpage *page_new(struct hut_vnode *n, uint64_t index)
{
	if (cached_pages >= cache_max() && evict_one(n) != 0)
		return NULL;
	struct cpage *p = record_new();
	uint8_t *data = p ? hut_pages_alloc(1) : NULL;
	while (p && !data && evict_one(n) == 0)
		data = hut_pages_alloc(1);
	if (!data) {
		if (p)
			record_free(p);
		return NULL;
	}
	*p = (struct cpage){.node = n, .index = index, .data = data, .nnext = n->first};
	if (n->first)
		n->first->nprev = p;
	n->first = p;
	unsigned b = page_bucket(n, index);
	p->hnext = page_hash[b];
	page_hash[b] = p;
	n->pages++;
	cached_pages++;
	return p;
}

static void drop_pages_from(struct hut_vnode *n, uint64_t index)
{
	struct cpage *p = n->first;
	n->opens++; /* the node outlives its last page here */
	while (p) {
		struct cpage *next = p->nnext;
		if (p->index >= index)
			page_free(p);
		p = next;
	}
	n->opens--;
}

/* --- the host -------------------------------------------------------------- */

static long host(uint32_t op, uint32_t handle, uint64_t count, uint64_t off)
{
	struct hut_hc_file hc = {
		.op = op, .handle = handle, .buf = (uint64_t)batch, .len = count, .offset = off};
	return hut_vfile_call(&hc);
}

static void saw_host(struct hut_vnode *n, const struct hut_file_stat *s)
{
	n->host_size = s->size;
	n->host_mtime_sec = s->mtime_sec;
	n->host_mtime_nsec = s->mtime_nsec;
}

static void stat_host(struct hut_vnode *n, uint32_t handle)
{
	struct hut_hc_file hc = {.op = HUT_FILE_STAT, .handle = handle};
	if (hut_vfile_call(&hc) == 0)
		hut_vcache_saw_stat(n, &hc.stat);
}

void hut_vcache_saw_stat(struct hut_vnode *n, const struct hut_file_stat *s)
{
	saw_host(n, s);
	n->st = *s;
	n->st_gen = hut_vcache_generation(n->mount);
	n->st_valid = 1;
}

static int readable(const struct hut_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

/* Reads pages [index, index + count) of n, none of them cached, in one
 * exit through f; past the host's end they stay zero. */
static long fill(struct hut_vnode *n, struct hut_file *f, uint64_t index, uint64_t count)
{
	struct cpage *got[BATCH];
	uint64_t made = 0;
	while (made < count && (got[made] = page_new(n, index + made)))
		made++;
	if (made == 0)
		return -ENOMEM;
	for (uint64_t i = 0; i < made; i++)
		batch[i] = (struct hut_iovec){(uint64_t)got[i]->data, PAGE};
	long r = host(HUT_FILE_READ, (uint32_t)f->priv2, made, index * PAGE);
	for (uint64_t i = 0; i < made; i++)
		if (r < 0)
			page_free(got[i]);
		else
			clean_append(got[i]);
	return r < 0 ? r : 0;
}

/* --- read-ahead in flight --------------------------------------------------- */

/* One read-ahead at a time: its pages are in the node's hash and list
 * (so that nothing reads them again) but on no clean list (so that nothing
 * reclaims them) and marked in flight; lookup waits for them, page_free
 * waits for the host before freeing one. */
static struct {
	int active;
	uint32_t ticket;
	uint64_t count, offset;
	struct cpage *page[BATCH];
	struct hut_iovec iov[BATCH]; /* the request's iovecs: libos memory */
} ra;

/* Waits for the read-ahead; its pages become clean pages, or go (an error). */
static void ra_settle(void)
{
	if (!ra.active)
		return;
	const struct hut_hc_file *done = hut_vfile_wait(ra.ticket);
	/* Its answer, unless the slot went to a later request meanwhile (more
	 * than the ring's slots were posted since): then it is unknown, and
	 * the pages go, to be read again. */
	long r = done->buf == (uint64_t)ra.iov && done->offset == ra.offset ? done->result : -EIO;
	ra.active = 0;
	for (uint64_t i = 0; i < ra.count; i++) {
		struct cpage *p = ra.page[i];
		ra.page[i] = NULL;
		if (!p)
			continue;
		if (r < 0) {
			page_free(p); /* still marked: on no clean list */
		} else {
			p->inflight = 0;
			clean_append(p);
		}
	}
}

static void ra_forget(struct cpage *p)
{
	if (ra.active)
		hut_vfile_wait(ra.ticket);
	for (uint64_t i = 0; i < ra.count; i++)
		if (ra.page[i] == p)
			ra.page[i] = NULL;
	p->inflight = 0;
}

/* Posts a read of pages [index, index + count) of n, none cached, through
 * f, without waiting; past the host's end they stay zero. */
static void ra_post(struct hut_vnode *n, struct hut_file *f, uint64_t index, uint64_t count)
{
	uint64_t made = 0;
	ra_settle();
	while (made < count && made < BATCH && (ra.page[made] = page_new(n, index + made)))
		made++;
	for (uint64_t i = 0; i < made; i++) {
		ra.page[i]->inflight = 1;
		ra.iov[i] = (struct hut_iovec){(uint64_t)ra.page[i]->data, PAGE};
	}
	if (made == 0)
		return;
	struct hut_hc_file hc = {.op = HUT_FILE_READ,
				 .handle = (uint32_t)f->priv2,
				 .buf = (uint64_t)ra.iov,
				 .len = made,
				 .offset = index * PAGE};
	ra.ticket = hut_vfile_post(&hc);
	ra.count = made;
	ra.offset = index * PAGE;
	ra.active = 1;
}

/* A sequential reader at page index keeps a window of ra_pages ahead of it
 * posted: the first missing page within the window starts the next one. */
static void read_ahead(struct hut_vnode *n, struct hut_file *f, uint64_t index)
{
	uint64_t end_page = (n->size + PAGE - 1) / PAGE, window = n->ra_pages;
	if (ra.active || window < READAHEAD_MIN)
		return;
	uint64_t i = index;
	while (i < end_page && i < index + window && find_page(n, i))
		i++;
	if (i >= end_page || i >= index + window)
		return;
	window = window * 2 > BATCH ? BATCH : window * 2; /* it went well: further */
	n->ra_pages = window;
	uint64_t count = 1;
	while (count < window && i + count < end_page && !find_page(n, i + count))
		count++;
	ra_post(n, f, i, count);
}

/* How many pages from index are missing, up to last, then on for a
 * sequential reader's read-ahead; never past the file's end or BATCH. */
static uint64_t missing_run(struct hut_vnode *n, uint64_t index, uint64_t last)
{
	uint64_t end_page = (n->size + PAGE - 1) / PAGE;
	if (index == n->ra_next) {
		uint64_t more = n->ra_pages * 2;
		n->ra_pages = more < READAHEAD_MIN ? READAHEAD_MIN : more > BATCH ? BATCH : more;
		last += n->ra_pages;
	} else {
		n->ra_pages = 0;
	}
	last = last < end_page - 1 ? last : end_page - 1;
	uint64_t count = 1;
	while (count < BATCH && index + count <= last && !find_page(n, index + count))
		count++;
	return count;
}

/* Write-back posts its runs to the host without waiting for each: up to
 * WB_RUNS runs (their iovecs in one pool of WB_IOV) go out, then one wait
 * for the last, then each run's pages are clean if it was written whole. */
#define WB_RUNS 32
#define WB_IOV (4 * BATCH)
_Static_assert(WB_RUNS <= HUT_FILE_RING_SLOTS, "a write-back's answers outlive its wait");

static struct {
	struct hut_iovec iov[WB_IOV]; /* libos memory: the host reads them later */
	struct cpage *page[WB_IOV];
	struct {
		uint32_t ticket, first, count;
		uint64_t bytes;
	} run[WB_RUNS];
	uint32_t runs, used;
	long error;
} wb;

static void wb_post(uint32_t handle, uint64_t at, uint32_t count, uint64_t bytes)
{
	struct hut_hc_file hc = {.op = HUT_FILE_WRITE,
				 .handle = handle,
				 .buf = (uint64_t)&wb.iov[wb.used],
				 .len = count,
				 .offset = at};
	wb.run[wb.runs].ticket = hut_vfile_post(&hc);
	wb.run[wb.runs].first = wb.used;
	wb.run[wb.runs].count = count;
	wb.run[wb.runs].bytes = bytes;
	wb.runs++;
	wb.used += count;
}

/* Waits for the posted runs; the first error, or 0. A short write means
 * the host is full (EIO, as before). */
static long wb_finish(void)
{
	if (wb.runs)
		hut_vfile_wait(wb.run[wb.runs - 1].ticket);
	for (uint32_t k = 0; k < wb.runs; k++) {
		long got = hut_vfile_wait(wb.run[k].ticket)->result;
		if (got >= 0 && (uint64_t)got != wb.run[k].bytes)
			got = -EIO;
		if (got < 0 && wb.error == 0)
			wb.error = got;
		for (uint32_t j = 0; got >= 0 && j < wb.run[k].count; j++)
			make_clean(wb.page[wb.run[k].first + j]);
	}
	long r = wb.error;
	wb.runs = wb.used = 0;
	wb.error = 0;
	return r;
}

/* Room for one more run of up to BATCH pages: else what is posted is
 * waited for first. */
static long wb_room(void)
{
	if (wb.runs < WB_RUNS && WB_IOV - wb.used >= BATCH)
		return 0;
	return wb_finish();
}

/* One page's bytes below the file's end to the host. */
static long write_page(struct hut_vnode *n, struct cpage *p, uint32_t handle)
{
	uint64_t at = p->index * PAGE;
	uint64_t len = at >= n->size ? 0 : n->size - at < PAGE ? n->size - at : PAGE;
	if (len == 0) {
		make_clean(p);
		return 0;
	}
	long r = wb_room();
	wb.iov[wb.used] = (struct hut_iovec){(uint64_t)p->data, len};
	wb.page[wb.used] = p;
	wb_post(handle, at, 1, len);
	return r;
}

/* Dirty pages far apart (random writes into a large file): walking their
 * index range would cost more than a request per page. */
static long flush_sparse(struct hut_vnode *n, uint32_t handle)
{
	long r = 0;
	for (struct cpage *p = n->first; p && r >= 0; p = p->nnext)
		if (p->dirty)
			r = write_page(n, p, handle);
	long w = wb_finish();
	return r < 0 ? r : w;
}

static long flush_runs(struct hut_vnode *n, uint32_t handle);

/* The node's dirty pages to the host in runs of consecutive pages, the
 * last one cut at the file's end; then the host's stat, so that the next
 * open does not take this write for someone else's. */
static long flush_node(struct hut_vnode *n)
{
	if (!n->dirty)
		return 0;
	if (!n->writer)
		return -EIO;
	uint32_t handle = (uint32_t)n->writer->priv2;
	busy++;
	long r = n->dirty_hi - n->dirty_lo > 64 * n->dirty + BATCH ? flush_sparse(n, handle)
								   : flush_runs(n, handle);
	if (r >= 0 && n->dirty == 0)
		stat_host(n, handle);
	busy--;
	return r < 0 ? r : 0;
}

static long flush_runs(struct hut_vnode *n, uint32_t handle)
{
	long r = 0;
	for (uint64_t i = n->dirty_lo; i < n->dirty_hi && r >= 0;) {
		struct cpage *p = lookup(n, i);
		if (!p || !p->dirty) {
			i++;
			continue;
		}
		if ((r = wb_room()) < 0)
			break;
		uint32_t count = 0;
		uint64_t bytes = 0;
		for (; count < BATCH && p && p->dirty && p->index * PAGE < n->size;
		     p = lookup(n, i + ++count)) {
			uint64_t len =
				n->size - p->index * PAGE < PAGE ? n->size - p->index * PAGE : PAGE;
			wb.iov[wb.used + count] = (struct hut_iovec){(uint64_t)p->data, len};
			wb.page[wb.used + count] = p;
			bytes += len;
		}
		if (count == 0) { /* a dirty page past the end: nothing to write */
			make_clean(p);
			i++;
			continue;
		}
		wb_post(handle, i * PAGE, count, bytes);
		i += count;
	}
	long w = wb_finish();
	return r < 0 ? r : w;
}

/* --- what volume.c calls ---------------------------------------------------- */

static void reclaim_clean(void *arg)
{
	(void)arg;
	while (!busy && oldest)
		page_free(oldest);
}

static void flush_all(void *arg)
{
	(void)arg;
	for (unsigned b = 0; b < NODE_BUCKETS; b++)
		for (struct hut_vnode *n = node_hash[b]; n; n = n->hnext)
			flush_node(n);
}

void hut_vcache_volume(uint32_t volume, uint32_t flags)
{
	if (volume >= HUT_VOLUMES_MAX)
		return;
	modes[volume] = flags;
	hut_mem_on_pressure(reclaim_clean);
	hut_at_process_exit(flush_all);
}

static uint32_t mode_of(const struct hut_mount *m)
{
	return volume_of(m) < HUT_VOLUMES_MAX ? modes[volume_of(m)] : HUT_VOLUME_CACHE_NONE;
}

uint32_t hut_vcache_mode(const struct hut_mount *m)
{
	return mode_of(m);
}

static uint64_t generations[HUT_VOLUMES_MAX];

uint64_t hut_vcache_generation(const struct hut_mount *m)
{
	return volume_of(m) < HUT_VOLUMES_MAX ? generations[volume_of(m)] : 0;
}

void hut_vcache_changed(const struct hut_mount *m)
{
	if (volume_of(m) < HUT_VOLUMES_MAX)
		generations[volume_of(m)]++;
}

static int host_changed(const struct hut_vnode *n, const struct hut_file_stat *s)
{
	return s->size != n->host_size || s->mtime_sec != n->host_mtime_sec ||
	       s->mtime_nsec != n->host_mtime_nsec;
}

static struct hut_vnode *node_new(const struct hut_mount *m, const struct hut_file_stat *s)
{
	struct hut_vnode *n = hut_kalloc(sizeof *n);
	if (!n)
		return NULL;
	*n = (struct hut_vnode){.mount = m, .ino = s->ino, .size = s->size};
	saw_host(n, s);
	unsigned b = node_bucket(m, s->ino);
	n->hnext = node_hash[b];
	node_hash[b] = n;
	nodes_of_mount[volume_of(m)]++;
	return n;
}

struct hut_vnode *hut_vcache_open(struct hut_file *f, const struct hut_file_stat *host_stat)
{
	uint32_t mode = mode_of(f->mount);
	if ((mode & HUT_VOLUME_CACHE_NONE) || (f->flags & O_DIRECT))
		return NULL;
	struct hut_vnode *n = find_node(f->mount, host_stat->ino);
	if (!n && !(n = node_new(f->mount, host_stat)))
		return NULL;
	if (!(mode & HUT_VOLUME_CACHE_ALWAYS))
		hut_vcache_revalidate(n, host_stat);
	n->opens++;
	f->priv = n;
	return n;
}

void hut_vcache_revalidate(struct hut_vnode *n, const struct hut_file_stat *s)
{
	if (n->dirty || !host_changed(n, s))
		return;
	n->opens++; /* the node outlives its pages here */
	drop_pages_from(n, 0);
	n->opens--;
	n->size = s->size;
	saw_host(n, s);
}

void hut_vcache_attach(struct hut_file *f, struct hut_vnode *n)
{
	n->opens++;
	n->borrowers++;
	f->priv = n;
	f->priv2 = n->rhandle | HUT_VCACHE_BORROWED;
	f->ino = n->ino;
}

int hut_vcache_fstat(struct hut_file *f, struct hut_file_stat *s)
{
	struct hut_vnode *n = f->priv;
	if (!n || !n->st_valid || n->st_gen != hut_vcache_generation(n->mount))
		return -1;
	*s = n->st;
	s->size = n->size;
	return 0;
}

/* Whether f's host handle can serve later opens' reads. */
static int donatable(const struct hut_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_DIRECT);
}

int hut_vcache_release(struct hut_file *f)
{
	struct hut_vnode *n = f->priv;
	int kept = 0;
	if (!n)
		return 0;
	if (n->dirty && flush_node(n) != 0) {
		hut_console_print(2, "hut: a volume file's write-back at close failed: "
				     "its unwritten data is lost\n");
		n->opens++;
		for (struct cpage *p = n->first, *next; p; p = next) {
			next = p->nnext;
			if (p->dirty)
				page_free(p);
		}
		n->opens--;
	}
	if (n->writer == f)
		n->writer = NULL;
	f->priv = NULL;
	if (f->priv2 & HUT_VCACHE_BORROWED) {
		n->borrowers--;
		kept = 1;
	} else if (!n->has_rhandle && n->names > 0 && donatable(f)) {
		n->rhandle = (uint32_t)f->priv2;
		n->has_rhandle = 1;
		kept = 1; /* the next open of this name reads through it */
	}
	if (kept)
		hut_vcache_put_handle(n);
	n->opens--;
	if (unheld(n))
		node_free(n);
	return kept;
}

long hut_vcache_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off)
{
	struct hut_vnode *n = f->priv;
	uint64_t want = hut_iov_total(iov, iovcnt), done = 0;
	/* A large read with nothing held back goes straight into the app's
	 * buffer: filling pages first would only add copies. */
	if (!n || !readable(f) || (want >= DIRECT_MIN && !n->dirty))
		return -HUT_EUNCACHED;
	if (off >= n->size)
		return 0;
	want = want < n->size - off ? want : n->size - off;
	long r = 0;
	uint64_t ahead = 0, ahead_from = 0;
	busy++;
	while (done < want) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t chunk = PAGE - in < want - done ? PAGE - in : want - done;
		struct cpage *p = lookup(n, at / PAGE);
		if (!p) {
			/* What the reader asked for now, the rest of the run ahead. */
			uint64_t index = at / PAGE, last = (off + want - 1) / PAGE;
			uint64_t count = missing_run(n, index, last);
			uint64_t now = last - index + 1 < count ? last - index + 1 : count;
			if ((r = fill(n, f, index, now)) < 0) {
				if (r == -ENOMEM)
					r = -HUT_EUNCACHED; /* the host serves it as before */
				break;
			}
			p = lookup(n, index);
			ahead_from = index + now;
			ahead = count - now;
		}
		hut_iov_copy_out(iov, iovcnt, done, p->data + in, chunk);
		touch(p);
		done += chunk;
		/* After the copy: the read-ahead's pages may take the place of
		 * this one (a full cache gives its oldest clean page). */
		if (ahead)
			ra_post(n, f, ahead_from, ahead);
		ahead = 0;
	}
	n->ra_next = (off + done + PAGE - 1) / PAGE;
	if (r >= 0 && done == want)
		read_ahead(n, f, n->ra_next);
	busy--;
	return done ? (long)done : r < 0 ? r : 0;
}

/* Whether f's writes may stay in the cache: see the top of the file. */
static int writes_back(const struct hut_file *f)
{
	uint32_t mode = mode_of(f->mount);
	return !(mode & HUT_VOLUME_SIZED) && (f->flags & O_ACCMODE) != O_RDONLY &&
	       !(f->flags & (O_APPEND | O_SYNC | O_DSYNC | O_DIRECT));
}

/* The page a write of chunk bytes at offset at goes into: a partial page
 * below the end is read first (through f, which must read). */
static struct cpage *page_for_write(struct hut_vnode *n, struct hut_file *f, uint64_t at,
				    uint64_t chunk)
{
	uint64_t index = at / PAGE;
	struct cpage *p = lookup(n, index);
	if (p)
		return p;
	if (chunk == PAGE || index * PAGE >= n->size)
		return page_new(n, index);
	if (!readable(f) || fill(n, f, index, 1) < 0)
		return NULL;
	return lookup(n, index);
}

long hut_vcache_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off)
{
	struct hut_vnode *n = f->priv;
	uint64_t want = hut_iov_total(iov, iovcnt), done = 0;
	if (!n || !writes_back(f) || want >= DIRECT_MIN || off > WRITE_MAX ||
	    want > WRITE_MAX - off)
		return -HUT_EUNCACHED;
	busy++;
	while (done < want) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t chunk = PAGE - in < want - done ? PAGE - in : want - done;
		struct cpage *p = page_for_write(n, f, at, chunk);
		if (!p)
			break;
		hut_iov_copy_in(iov, iovcnt, done, p->data + in, chunk);
		make_dirty(p);
		done += chunk;
		if (at + chunk > n->size)
			n->size = at + chunk;
	}
	busy--;
	if (done == 0)
		return want ? -HUT_EUNCACHED : 0;
	if (!n->writer)
		n->writer = f;
	n->mtime = hut_realtime();
	return (long)done;
}

long hut_vcache_before_host_write(struct hut_file *f)
{
	struct hut_vnode *n = f->priv;
	return n ? flush_node(n) : 0;
}

void hut_vcache_wrote(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off,
		      uint64_t n_bytes)
{
	struct hut_vnode *n = f->priv;
	if (!n)
		return;
	for (uint64_t done = 0; done < n_bytes;) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t chunk = PAGE - in < n_bytes - done ? PAGE - in : n_bytes - done;
		struct cpage *p = lookup(n, at / PAGE);
		if (p)
			hut_iov_copy_in(iov, iovcnt, done, p->data + in, chunk);
		done += chunk;
	}
	if (off + n_bytes > n->size)
		n->size = off + n_bytes;
	n->st_valid = 0; /* the host's times moved */
}

long hut_vcache_flush(struct hut_file *f)
{
	struct hut_vnode *n = f->priv;
	return n ? flush_node(n) : 0;
}

long hut_vcache_drop(struct hut_file *f)
{
	struct hut_vnode *n = f->priv;
	if (!n)
		return 0;
	long r = flush_node(n);
	if (r == 0)
		drop_pages_from(n, 0);
	return r;
}

void hut_vcache_truncated(const struct hut_mount *m, uint64_t ino, uint64_t size)
{
	struct hut_vnode *n = find_node(m, ino);
	if (!n)
		return;
	n->opens++;
	drop_pages_from(n, (size + PAGE - 1) / PAGE);
	struct cpage *p = size % PAGE ? lookup(n, size / PAGE) : NULL;
	if (p)
		hut_memset(p->data + size % PAGE, 0, PAGE - size % PAGE);
	n->size = size;
	n->st_valid = 0;
	n->opens--;
	if (unheld(n))
		node_free(n);
}

void hut_vcache_unhold(struct hut_vnode *n)
{
	if (unheld(n))
		node_free(n);
}

int hut_vcache_any(const struct hut_mount *m)
{
	return volume_of(m) < HUT_VOLUMES_MAX && nodes_of_mount[volume_of(m)] > 0;
}

void hut_vcache_stat(struct hut_file *f, struct stat *st)
{
	struct hut_vnode *n = f->priv;
	if (!n || !n->dirty)
		return;
	st->st_size = (off_t)n->size;
	st->st_mtim = st->st_ctim = n->mtime;
	blkcnt_t need = (blkcnt_t)((n->size + 511) / 512);
	st->st_blocks = st->st_blocks > need ? st->st_blocks : need;
}
