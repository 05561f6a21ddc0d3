/*
 * bigout: writes exactly 1 MiB to stdout, mixing stdio (fwrite, buffered)
 * with raw write(2) of odd sizes, so the console path sees short, long and
 * page-crossing writes. The bytes come from a fixed-seed generator.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define TOTAL (1u << 20)

static unsigned char buf[TOTAL];

static int write_all(const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(void)
{
	uint32_t x = 12345;
	for (size_t i = 0; i < TOTAL; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}

	static const size_t sizes[] = {1, 7, 4096, 4095, 65536, 100003, 3, 262144, 12289};
	size_t done = 0;
	for (unsigned k = 0; done < TOTAL; k++) {
		size_t n = sizes[k % (sizeof sizes / sizeof sizes[0])];
		if (n > TOTAL - done)
			n = TOTAL - done;
		if (k % 2 == 0) {
			if (fwrite(buf + done, 1, n, stdout) != n)
				return 1;
		} else {
			/* stdio's buffer goes first, or the bytes come out of order. */
			if (fflush(stdout) != 0 || write_all(buf + done, n) < 0)
				return 1;
		}
		done += n;
	}
	return fflush(stdout) != 0;
}
