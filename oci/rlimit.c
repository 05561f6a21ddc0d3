/*
 * process.rlimits of a hut image's container, fitted to what the host
 * grants. The lower runtime sets them on its process with setrlimit, which
 * fails (and with it the container) when a hard limit is above the
 * caller's and the caller lacks CAP_SYS_RESOURCE: podman asks for 1048576
 * open files on every container, and a host whose hard limit is 20000
 * refuses that.
 *
 * For a hut image that process is hut-monitor, not the guest program: the
 * guest's limits are the libos's own (getrlimit in the guest answers them),
 * and the monitor needs a few hundred fds at most. So a limit the host
 * cannot grant is lowered to what it can, said once in the log, rather
 * than failing a container that would run. Whether the host grants a limit
 * is asked of the kernel itself: hut-oci raises its own limit to the value
 * (the runtime it runs next inherits it); only EPERM lowers it. Other
 * containers' rlimits are left as the orchestrator wrote them.
 */
#include "oci.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} resources[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

static int resource_of(const char *name)
{
	for (size_t i = 0; name && i < sizeof resources / sizeof *resources; i++)
		if (!strcmp(resources[i].name, name))
			return resources[i].resource;
	return -1;
}

/* A limit as the spec writes it: a whole number in [0, 2^64) (2^64-1 is
 * "unlimited"); false for anything else. */
static bool read_limit(const struct oci_json *j, rlim_t *v)
{
	if (!j || j->type != OCI_JSON_NUMBER || j->text[0] < '0' || j->text[0] > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(j->text, &end, 10);
	*v = (rlim_t)n;
	return !*end && errno == 0;
}

/* The highest hard limit the host grants for resource up to want. */
static rlim_t grantable(int resource, rlim_t want)
{
	struct rlimit now;
	if (getrlimit(resource, &now) != 0 || want <= now.rlim_max)
		return want;
	struct rlimit raised = {.rlim_cur = now.rlim_cur, .rlim_max = want};
	if (setrlimit(resource, &raised) == 0 || errno != EPERM)
		return want; /* granted, or refused for a reason the runtime will name */
	return now.rlim_max;
}

static void fit_one(struct oci_json *limit, size_t i, const char *id)
{
	const char *type = oci_json_string(oci_json_get(limit, "type"));
	int resource = resource_of(type);
	rlim_t hard, soft;
	if (resource < 0 || !read_limit(oci_json_get(limit, "hard"), &hard) ||
	    !read_limit(oci_json_get(limit, "soft"), &soft))
		return; /* the runtime refuses it with its own message */
	rlim_t can = grantable(resource, hard);
	if (can >= hard || can > INT64_MAX)
		return;
	oci_log_warning(id,
			"process.rlimits[%zu] %s: hard limit %llu is above what this host grants "
			"(%llu, without CAP_SYS_RESOURCE); hut-monitor runs with %llu (the guest's "
			"own limits are the libos's)",
			i, type, (unsigned long long)hard, (unsigned long long)can,
			(unsigned long long)can);
	oci_json_set(limit, "hard", oci_json_new_int((int64_t)can));
	if (soft > can)
		oci_json_set(limit, "soft", oci_json_new_int((int64_t)can));
}

void oci_rlimits_fit(struct oci_json *config, const char *id)
{
	struct oci_json *limits = oci_json_get(oci_json_get(config, "process"), "rlimits");
	if (!limits)
		return;
	if (limits->type != OCI_JSON_ARRAY)
		oci_die(id, "config.json: process.rlimits is not an array");
	for (size_t i = 0; i < limits->n; i++)
		fit_one(limits->items[i], i, id);
}
