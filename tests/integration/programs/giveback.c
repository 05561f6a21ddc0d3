/*
 * giveback: memory touched, freed, and touched again
 * (tests/integration/density.sh). 16 MiB are mapped and written, then
 * unmapped; a short sleep lets the appliance go idle, when the libos gives
 * the freed RAM back to the host. It says "freed" and waits for a line on
 * stdin (the test reads the monitor's memory then; /dev/null goes straight
 * on); the next round's memory is freed just before such a read, the other
 * idle moment. New mappings must then read as zeroes, and what is written to them
 * must reach the host as written: part of it goes out through write(2),
 * which the monitor reads from guest RAM itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SIZE (16u << 20)
#define PAGE 4096u

static unsigned char *map(void)
{
	void *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("giveback: mmap");
		return NULL;
	}
	return p;
}

/* Word by word: the nested test guest emulates every instruction. */
static void fill(unsigned char *p, unsigned salt)
{
	for (unsigned i = 0; i < SIZE; i += 8) {
		uint64_t letter = (uint64_t)('a' + (i / PAGE + salt) % 26);
		*(uint64_t *)(p + i) = letter * 0x0101010101010101ull;
	}
}

static int all_zero(const unsigned char *p)
{
	for (unsigned i = 0; i < SIZE; i += 8)
		if (*(const uint64_t *)(p + i))
			return 0;
	return 1;
}

/* Waits for a line on stdin (the test reads the monitor's memory meanwhile;
 * /dev/null goes straight on). A read that may wait is an idle moment too. */
static void pause_for_test(const char *what)
{
	printf("freed, then %s\n", what);
	fflush(stdout);
	char line[64];
	if (read(0, line, sizeof line) < 0)
		perror("giveback: read");
}

int main(void)
{
	unsigned char *p = map();
	if (!p)
		return 1;
	fill(p, 0);
	printf("touched: %u MiB\n", SIZE >> 20);
	munmap(p, SIZE);
	struct timespec nap = {0, 50 * 1000 * 1000};
	nanosleep(&nap, NULL);
	pause_for_test("slept");

	for (unsigned round = 1; round <= 2; round++) {
		p = map();
		if (!p)
			return 1;
		printf("round %u: new memory reads as zeroes: %s\n", round,
		       all_zero(p) ? "yes" : "no");
		fill(p, round);
		fflush(stdout);
		/* One byte from each MiB, then a whole page: read by the host. */
		for (unsigned i = 0; i < SIZE; i += 1u << 20)
			if (write(1, p + i, 1) != 1)
				return 1;
		if (write(1, "\n", 1) != 1 || write(1, p + SIZE - PAGE, 64) != 64 ||
		    write(1, "\n", 1) != 1)
			return 1;
		munmap(p, SIZE);
		if (round == 1)
			pause_for_test("read stdin");
	}
	return 0;
}
