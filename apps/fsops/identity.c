/* What a program learns from /etc: users, groups, the time zone. (A name
 * that is not there makes musl ask nscd over a socket, and host names go
 * through its resolver: both are the network's business, not tested here.) */
#include "fsops.h"

#include <grp.h>
#include <pwd.h>
#include <time.h>

static void user(const char *name)
{
	struct passwd *p = getpwnam(name);
	if (p)
		printf("user %s: %u %u %s %s\n", name, (unsigned)p->pw_uid, (unsigned)p->pw_gid,
		       p->pw_dir, p->pw_shell);
	else
		printf("user %s: none\n", name);
}

int scenario_identity(const char *dir)
{
	(void)dir;
	user("root");
	user("nobody");
	struct group *g = getgrnam("nogroup");
	printf("group nogroup: %d\n", g ? (int)g->gr_gid : -1);
	struct passwd *p = getpwuid(0);
	printf("uid 0: %s\n", p ? p->pw_name : "none");
	time_t t = 86400 + 3 * 3600 + 4 * 60 + 5;
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
	printf("localtime: %s\n", buf);
	time_t summer = 1719835200; /* 2024-07-01 12:00 UTC */
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", localtime(&summer));
	printf("localtime in July: %s\n", buf);
	return 0;
}
