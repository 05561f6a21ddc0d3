/*
 * The way every volume operation reaches the host (volume_ring.c): the
 * file ring (include/hut/abi.h, "File ring") when the monitor gave one,
 * else the file hypercall. A request is posted, then waited for; posting
 * several before waiting for the last batches them, and a request nobody
 * waits for (a CLOSE) costs the guest only its post.
 */
#ifndef HUT_VOLUME_RING_H
#define HUT_VOLUME_RING_H

#include <hut/abi.h>
#include <stdint.h>

/* One request, waited for: hc gets the monitor's answer; returns its result. */
long hut_vfile_call(struct hut_hc_file *hc);
/* Posts a copy of hc; its ticket. Whatever hc names (paths, iovecs,
 * buffers) must stay as it is until the request is done. */
uint32_t hut_vfile_post(const struct hut_hc_file *hc);
/* Waits until the request of ticket t (and every one before it) is done;
 * its answer, good until HUT_FILE_RING_SLOTS more are posted. */
const struct hut_hc_file *hut_vfile_wait(uint32_t t);

#endif
