/* Sizes as people write them: 65536, 64K, 64M, 1G (binary units). */
#ifndef HUT_SIZE_H
#define HUT_SIZE_H

#include <stdint.h>

/* Returns 0 and sets *bytes; HUT_SIZE_MALFORMED if s is not a size;
 * HUT_SIZE_TOO_LARGE if it is one beyond 2^64 - 1 bytes. */
#define HUT_SIZE_MALFORMED (-1)
#define HUT_SIZE_TOO_LARGE (-2)
int hut_parse_size(const char *s, uint64_t *bytes);
/* What to say of a size hut_parse_size refused with result r. */
const char *hut_size_error(int r);
/* Checks a guest RAM size: page aligned, within [HUT_MEM_MIN, HUT_MEM_MAX].
 * Returns NULL if fine, else why not. */
const char *hut_check_mem_size(uint64_t bytes);

#endif
