/*
 * nosys: a syscall nobody implements (vserver and tuxcall are ENOSYS on
 * Linux too) must fail with ENOSYS and let the program go on. The libos warns
 * once per syscall number on stderr, so calling vserver twice gives one
 * warning for it and one for tuxcall.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void call(const char *name, long nr)
{
	errno = 0;
	long r = syscall(nr);
	printf("%s(%ld) = %ld, errno %s\n", name, nr, r, errno == ENOSYS ? "ENOSYS" : strerror(errno));
}

int main(void)
{
	call("vserver", SYS_vserver);
	call("vserver", SYS_vserver);
	call("tuxcall", SYS_tuxcall);
	puts("continued");
	return 0;
}
