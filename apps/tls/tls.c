/* tls: thread-local variables live at %fs, set up by musl through arch_prctl. */
#include <stdio.h>
#include <string.h>

static __thread int counter = 100;
static __thread char name[16] = "initial";
static __thread long zeroed;
static __thread char zero_block[256];

static int block_is_zero(void)
{
	for (size_t i = 0; i < sizeof zero_block; i++)
		if (zero_block[i])
			return 0;
	return 1;
}

static void show(const char *when)
{
	printf("%s: counter=%d name=%s zeroed=%ld zero_block %s\n", when, counter, name, zeroed,
	       block_is_zero() ? "all zero" : "written");
}

int main(void)
{
	show("start");
	counter += 23;
	strcpy(name, "changed");
	zeroed = -1;
	memset(zero_block, 1, sizeof zero_block);
	show("after");
	return counter == 123 ? 0 : 1;
}
