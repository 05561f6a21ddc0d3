/* A volume's way out, tried every way a program could: each must fail, or
 * land inside the app's own namespace, exactly as for a process that has
 * the directory bind-mounted. DIR is a volume holding the symlinks the
 * test made (abs -> an absolute host path, up -> ../../.., proc ->
 * /proc/self/fd/0 and the like); OTHER is a second volume. */
#include "fsops.h"

static void try_open(const char *what, const char *path, int flags)
{
	int fd = open(path, flags, 0644);
	check(what, fd < 0 ? -1 : 0);
	if (fd >= 0)
		close(fd);
}

int scenario_escape(const char *dir)
{
	const char *other = getenv("OTHER") ? getenv("OTHER") : "/other";
	char buf[64];
	try_open("open abs (a host path)", at(dir, "abs"), O_RDONLY);
	try_open("create through abs", at(dir, "abs"), O_WRONLY | O_CREAT | O_TRUNC);
	try_open("open up/etc/hostname", at(dir, "up/etc/hostname"), O_RDONLY);
	try_open("open ../../../../etc/hostname", at(dir, "../../../../etc/hostname"), O_RDONLY);
	try_open("open proc (/proc/self/fd/0)", at(dir, "proc"), O_RDONLY);
	try_open("open /proc/self/root/etc/hostname", "/proc/self/root/etc/hostname", O_RDONLY);
	try_open("open root (/proc/self/root)", at(dir, "root/etc/hostname"), O_RDONLY);
	try_open("open loop", at(dir, "loop"), O_RDONLY);
	check("readlink abs", readlink(at(dir, "abs"), buf, sizeof buf) > 0 ? 0 : -1);
	check("mkdir up/x",
	      mkdir(at(dir, "up/escaped"), 0755) == 0 ? (rmdir(at(dir, "up/escaped")), 0) : -1);
	put_file(at(dir, "mine"), "mine\n");
	check("link into another volume", link(at(dir, "mine"), at(other, "mine")));
	check("rename into another volume", rename(at(dir, "mine"), at(other, "mine")));
	check("link into /tmp", link(at(dir, "mine"), "/tmp/mine"));
	check("rename into /tmp", rename(at(dir, "mine"), "/tmp/mine"));
	check("symlink out, then write through it", symlink("/tmp", at(dir, "totmp")));
	put_file(at(dir, "totmp/through"), "through\n");
	printf("  /tmp/through: %s", get_file("/tmp/through"));
	check("unlink totmp", unlink(at(dir, "totmp")));
	check("unlink mine", unlink(at(dir, "mine")));
	return 0;
}
