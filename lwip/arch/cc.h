/*
 * lwIP's platform header for the libos: types from the freestanding
 * headers, the random source and assertions from the libos.
 */
#ifndef HUT_LWIP_CC_H
#define HUT_LWIP_CC_H

#include <stddef.h>
#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 0
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

void *hut_memcpy(void *dst, const void *src, size_t n);
uint32_t hut_net_random(void);
_Noreturn void hut_net_assert(const char *msg, const char *file, int line);

#define LWIP_RAND() hut_net_random()
#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
	} while (0)
#define LWIP_PLATFORM_ASSERT(msg) hut_net_assert(msg, __FILE__, __LINE__)

#endif
