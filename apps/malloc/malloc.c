/*
 * malloc: stresses musl's allocator, which lives on brk, mmap (with MAP_FIXED
 * and PROT_NONE guards), munmap, mprotect, madvise and mremap. Every block is
 * filled with a pattern derived from its slot and generation and verified
 * before it is resized or freed. Exits 1 on any corruption.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256
#define ROUNDS 4000

struct slot {
	unsigned char *p;
	size_t size;
	uint32_t tag;
};

static struct slot slots[SLOTS];
static uint64_t lcg_state = 0x2545f4914f6cdd1dull;
static uint64_t checksum;
static unsigned corrupt;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(lcg_state >> 33);
}

/* Mostly small, sometimes page-sized, rarely mmap-sized (up to 4 MiB). */
static size_t random_size(void)
{
	uint32_t r = lcg() % 100;
	if (r < 70)
		return 1 + lcg() % 256;
	if (r < 98)
		return 1 + lcg() % 65536;
	return 1 + lcg() % (4u << 20);
}

static unsigned char pattern(uint32_t tag, size_t i)
{
	return (unsigned char)(tag * 31 + i * 7 + (i >> 8));
}

static void fill(struct slot *s, size_t from)
{
	for (size_t i = from; i < s->size; i++)
		s->p[i] = pattern(s->tag, i);
}

/* Checks the first n bytes; adds them to the checksum. */
static void verify(const struct slot *s, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		if (s->p[i] != pattern(s->tag, i)) {
			if (corrupt++ < 5)
				printf("CORRUPT after %s: tag %u size %zu byte %zu\n", what, s->tag,
				       s->size, i);
			return;
		}
		checksum = checksum * 1099511628211ull ^ s->p[i];
	}
}

static int allocate(struct slot *s, uint32_t tag)
{
	s->size = random_size();
	s->tag = tag;
	s->p = malloc(s->size);
	if (!s->p)
		return -1;
	fill(s, 0);
	return 0;
}

/* Grow or shrink, keeping the common prefix and refilling the rest. */
static int resize(struct slot *s)
{
	size_t size = lcg() % 2 ? s->size * 2 + lcg() % 4096 : s->size / 3 + 1;
	if (size > (4u << 20))
		size = 1 + lcg() % 1024;
	unsigned char *p = realloc(s->p, size);
	if (!p)
		return -1;
	size_t kept = size < s->size ? size : s->size;
	s->p = p;
	s->size = size;
	verify(s, kept, "realloc");
	fill(s, kept);
	return 0;
}

int main(void)
{
	unsigned allocs = 0, reallocs = 0, frees = 0;

	for (uint32_t round = 1; round <= ROUNDS; round++) {
		struct slot *s = &slots[lcg() % SLOTS];
		if (!s->p) {
			if (allocate(s, round) < 0)
				goto oom;
			allocs++;
		} else if (lcg() % 3 == 0) {
			if (resize(s) < 0)
				goto oom;
			reallocs++;
		} else {
			verify(s, s->size, "free");
			free(s->p);
			s->p = NULL;
			frees++;
		}
	}

	/* Free what is left in a random order. */
	for (unsigned left = SLOTS; left > 0;) {
		struct slot *s = &slots[lcg() % SLOTS];
		if (!s->p) {
			left = 0;
			for (unsigned i = 0; i < SLOTS; i++)
				left += slots[i].p != NULL;
			continue;
		}
		verify(s, s->size, "final");
		free(s->p);
		s->p = NULL;
		frees++;
	}

	/* Exactly 1 byte and exactly 4 MiB, plus calloc zeroing of fresh mmap memory. */
	unsigned char *one = malloc(1), *four = calloc(4u << 20, 1);
	if (!one || !four)
		goto oom;
	for (size_t i = 0; i < (4u << 20); i++)
		if (four[i]) {
			printf("CORRUPT: calloc byte %zu is %u\n", i, four[i]);
			corrupt++;
			break;
		}
	free(one);
	free(four);

	printf("allocs=%u reallocs=%u frees=%u\n", allocs, reallocs, frees);
	printf("checksum=%016llx\n", (unsigned long long)checksum);
	printf("%s\n", corrupt ? "CORRUPTION DETECTED" : "no corruption");
	return corrupt ? 1 : 0;
oom:
	printf("out of memory\n");
	return 3;
}
