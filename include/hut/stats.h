/*
 * hut-monitor --stats FILE: what the monitor keeps up to date there for
 * whoever started it (hut-oci state reads it): the guest's process counts,
 * as the libos reports them in the signal box. Guest values, only shown.
 * The file holds this struct, in the host's byte order.
 */
#ifndef HUT_STATS_H
#define HUT_STATS_H

#include <stdint.h>

#define HUT_STATS_MAGIC 0x3173746174737568ull /* "hutstats1" less one byte */

struct hut_stats {
	uint64_t magic;		 /* HUT_STATS_MAGIC once the monitor wrote it */
	uint64_t processes_made; /* besides pid 1 */
	uint64_t processes_max;	 /* the most alive at once, pid 1 counted */
};

#endif
