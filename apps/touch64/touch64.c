/*
 * touch64: allocates 64 MiB, writes every byte, and prints a checksum. The
 * benchmark's second workload: it shows what first-touching memory costs
 * under each launcher (page faults in a process or container; EPT/shadow
 * faults in a VM).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TOUCH_BYTES (64u << 20)

int main(void)
{
	uint8_t *p = malloc(TOUCH_BYTES);
	if (!p) {
		fputs("touch64: cannot allocate 64 MiB\n", stderr);
		return 1;
	}
	/* A pattern the compiler cannot fold away, summed back afterwards. */
	for (uint32_t i = 0; i < TOUCH_BYTES; i++)
		p[i] = (uint8_t)(i * 2654435761u >> 24);
	uint32_t sum = 0;
	for (uint32_t i = 0; i < TOUCH_BYTES; i += 64)
		sum = sum * 31 + p[i];
	printf("touch64: 64 MiB touched, checksum %08x\n", sum);
	free(p);
	return 0;
}
