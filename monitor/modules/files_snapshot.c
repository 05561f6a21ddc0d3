/*
 * Volumes in a snapshot (monitor/snapshot.h). A file the guest has open
 * on a volume is a host fd the monitor holds: a restore, another process,
 * could reopen it only by a path, which may since name another file or
 * none, and its offset, locks and flags would be guessed. So a snapshot is
 * refused while the guest has any open (close them before the ready
 * point). Volumes themselves are reopened by path at each restore: the
 * record is a hash of every --volume (host path, guest path, options),
 * which a restore must give again, since the guest has the table in its
 * memory (and caches what it read). The file ring is served to its end
 * before the count (a CLOSE the guest posted without waiting closes), and
 * its position is recorded: a restore's reader goes on from there, where
 * the guest's ring in its memory is.
 */
#include "../monitor.h"
#include "../snapshot.h"
#include "files.h"
#include "files_ring.h"

#include <stdio.h>

static uint64_t volumes_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned i = 0; i < hut_files.nvolumes; i++) {
		const struct hut_volume *v = &hut_files.volumes[i];
		char *paths[2] = {(char *)v->host, (char *)v->guest};
		h = hut_snap_hash(h, paths, 2);
		h = hut_snap_hash_u64(h,
				      (uint64_t)v->ro << 40 | (uint64_t)v->owner << 32 | v->cache);
		h = hut_snap_hash_u64(h, v->size);
	}
	return hut_snap_hash_u64(h, hut_files.nvolumes);
}

const char *hut_files_snapshot(struct hut_vm *vm, struct hut_snap_buf *w)
{
	static char why[128];
	unsigned open = 0;
	uint32_t pos[HUT_FILE_IO_POSITION];
	(void)vm;
	hut_file_io_save(pos);
	for (unsigned i = 0; i < HUT_FILE_HANDLES_MAX; i++)
		open += hut_files.handles[i].used;
	if (open) {
		snprintf(why, sizeof why,
			 "the guest has %u file%s open on volumes (close them before it is ready)",
			 open, open == 1 ? "" : "s");
		return why;
	}
	uint64_t h = volumes_hash();
	return hut_snap_put(w, &h, sizeof h) && hut_snap_put(w, pos, sizeof pos) ? NULL
										 : "files: no room";
}

const char *hut_files_restore(struct hut_vm *vm, struct hut_snap_buf *r)
{
	uint64_t h;
	(void)vm;
	if (!hut_snap_get(r, &h, sizeof h))
		return "the snapshot has no volumes record";
	if (h != volumes_hash())
		return "it was made with other volumes (every --volume must be the original's)";
	uint32_t pos[HUT_FILE_IO_POSITION];
	if (!hut_snap_get(r, pos, sizeof pos))
		return "the snapshot's volumes record has no file ring position";
	hut_file_io_restore(pos);
	return NULL;
}
