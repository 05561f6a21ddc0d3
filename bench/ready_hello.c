/*
 * hello with a ready point: it calls hut_ready() before it prints, so
 * `hut bench`'s hut-restore launcher (and `make bench`) measures a restore
 * of the appliance as it was there against a cold boot and the process.
 * hut_ready() does nothing in a process or a plain appliance run.
 */
#include <hut/ready.h>

#include <stdio.h>

int main(void)
{
	hut_ready();
	puts("hello, world");
	return 0;
}
