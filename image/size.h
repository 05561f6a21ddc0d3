/* Sizes as people write them: 65536, 64K, 64M, 1G (binary units). */
#ifndef HUT_SIZE_H
#define HUT_SIZE_H

#include <stdint.h>

/* Returns 0 and sets *bytes, or -1 if s is not a size or overflows. */
int hut_parse_size(const char *s, uint64_t *bytes);
/* Checks a guest RAM size: page aligned, within [HUT_MEM_MIN, HUT_MEM_MAX].
 * Returns NULL if fine, else why not. */
const char *hut_check_mem_size(uint64_t bytes);

#endif
