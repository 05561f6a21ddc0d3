/*
 * data: the loader must copy .data from the file and zero .bss, including
 * the tail of the page where .data ends and .bss begins.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct point {
	int x, y;
	const char *label;
};

int answer = 42;
double ratio = 0.125;
char greeting[] = "initialised .data";
struct point points[3] = {{1, 2, "a"}, {-3, 4, "b"}, {5, -6, "c"}};
const char *const names[] = {"alpha", "beta", "gamma"}; /* pointers into .rodata */
int *answer_ptr = &answer;                              /* a pointer into .data */

static unsigned small_bss;         /* shares a page with .data */
static uint64_t zeros[64];
static unsigned char big_bss[3 << 20]; /* spans many pages beyond the file bytes */

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

int main(void)
{
	int bad = 0;

	printf("answer=%d ratio=%g greeting=\"%s\"\n", answer, ratio, greeting);
	for (int i = 0; i < 3; i++)
		printf("points[%d]={%d,%d,%s} names[%d]=%s\n", i, points[i].x, points[i].y,
		       points[i].label, i, names[i]);
	printf("*answer_ptr=%d\n", *answer_ptr);

	int zero = small_bss == 0 && all_zero(zeros, sizeof zeros) && all_zero(big_bss, sizeof big_bss);
	printf("bss zero: %s\n", zero ? "yes" : "NO");
	bad |= !zero;

	/* .data and .bss are writable and keep what is written. */
	answer++;
	strcpy(greeting, "changed");
	memset(big_bss, 0xa5, sizeof big_bss);
	small_bss = 7;
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof big_bss; i += 4096)
		sum += big_bss[i];
	printf("after writes: answer=%d greeting=\"%s\" small_bss=%u page_sum=%u\n", answer,
	       greeting, small_bss, sum);
	return bad;
}
