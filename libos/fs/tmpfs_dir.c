/*
 * A tmpfs directory: its entries in creation order (getdents walks them, and
 * a position stays valid while entries come and go), and a hash index over
 * the names so a lookup in a directory of 100,000 files is one probe, not a
 * scan. Removed entries leave an empty slot; the slots are packed again
 * when the array must grow and most of it is empty.
 */
#include "tmpfs.h"

#include <errno.h>

#define TOMB UINT32_MAX

static uint32_t hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static int same(const struct tdirent *e, const char *name, size_t len)
{
	return e->node && e->len == len && !hut_memcmp(e->name, name, len);
}

int64_t hut_tdir_find(const struct tdir *d, const char *name, size_t len)
{
	if (!d->index_cap)
		return -1;
	uint32_t mask = d->index_cap - 1;
	for (uint32_t i = hash(name, len) & mask;; i = (i + 1) & mask) {
		uint32_t v = d->index[i];
		if (v == 0)
			return -1;
		if (v != TOMB && same(&d->slots[v - 1], name, len))
			return v - 1;
	}
}

static void index_insert(uint32_t *index, uint32_t cap, const struct tdirent *e, uint32_t slot)
{
	uint32_t mask = cap - 1;
	uint32_t i = hash(e->name, e->len) & mask;
	while (index[i] != 0 && index[i] != TOMB)
		i = (i + 1) & mask;
	index[i] = slot + 1;
}

/* A fresh index of cap entries over the live slots. */
static long reindex(struct tdir *d, uint32_t cap)
{
	uint32_t *index = hut_kalloc((size_t)cap * sizeof *index);
	if (!index)
		return -ENOSPC;
	for (uint32_t s = 0; s < d->used; s++)
		if (d->slots[s].node)
			index_insert(index, cap, &d->slots[s], s);
	hut_kfree(d->index, (size_t)d->index_cap * sizeof *d->index);
	d->index = index;
	d->index_cap = cap;
	d->index_used = d->live;
	return 0;
}

/* Drops removed slots; positions of open directory streams move, which is
 * why only a directory nobody has open is packed. */
static void pack(struct tdir *d)
{
	uint32_t to = 0;
	for (uint32_t s = 0; s < d->used; s++)
		if (d->slots[s].node)
			d->slots[to++] = d->slots[s];
	d->used = to;
}

/* An index size for the live entries, a quarter full (removed entries
 * fill an index too, until it is made again). */
static uint32_t index_size(uint32_t live)
{
	uint32_t cap = 16;
	while (cap < (live + 1) * 4)
		cap *= 2;
	return cap;
}

static long grow_slots(struct tdir *d, int may_pack)
{
	if (may_pack && d->live < d->used / 2) {
		pack(d);
		return reindex(d, index_size(d->live));
	}
	uint32_t cap = d->cap ? d->cap * 2 : 8;
	if (cap < d->cap)
		return -ENOSPC;
	struct tdirent *slots = hut_kalloc((size_t)cap * sizeof *slots);
	if (!slots)
		return -ENOSPC;
	hut_memcpy(slots, d->slots, (size_t)d->used * sizeof *slots);
	hut_kfree(d->slots, (size_t)d->cap * sizeof *slots);
	d->slots = slots;
	d->cap = cap;
	return 0;
}

long hut_tdir_add(struct tdir *d, const char *name, size_t len, struct tnode *node, int may_pack)
{
	long r;
	if (d->used == d->cap && (r = grow_slots(d, may_pack)) != 0)
		return r;
	if ((d->index_used + 1) * 2 > d->index_cap && (r = reindex(d, index_size(d->live))) != 0)
		return r;
	char *copy = hut_kstrndup(name, len);
	if (!copy)
		return -ENOSPC;
	uint32_t s = d->used++;
	d->slots[s] = (struct tdirent){node, copy, (uint32_t)len};
	index_insert(d->index, d->index_cap, &d->slots[s], s);
	d->index_used++;
	d->live++;
	return 0;
}

void hut_tdir_remove(struct tdir *d, uint32_t slot)
{
	struct tdirent *e = &d->slots[slot];
	uint32_t mask = d->index_cap - 1;
	for (uint32_t i = hash(e->name, e->len) & mask;; i = (i + 1) & mask) {
		if (d->index[i] == slot + 1) {
			d->index[i] = TOMB;
			break;
		}
	}
	hut_kfree(e->name, e->len + 1);
	e->node = NULL;
	e->name = NULL;
	d->live--;
}

void hut_tdir_free(struct tdir *d)
{
	for (uint32_t s = 0; s < d->used; s++)
		hut_kfree(d->slots[s].name, d->slots[s].len + 1);
	hut_kfree(d->slots, (size_t)d->cap * sizeof *d->slots);
	hut_kfree(d->index, (size_t)d->index_cap * sizeof *d->index);
}

const struct tdirent *hut_tdir_slot(const struct tdir *d, uint64_t slot)
{
	return slot < d->used ? &d->slots[slot] : NULL;
}
