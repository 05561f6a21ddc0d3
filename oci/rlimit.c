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

/* A limit as the spec writes it: a whole number, 0 or more; false for
 * anything else. (The spec's type is uint64, with 2^64-1 "unlimited";
 * jansson's integers stop at 2^63-1 and json.c refuses a larger one.) */
static bool read_limit(const json_t *j, rlim_t *v)
{
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return false;
	*v = (rlim_t)json_integer_value(j);
	return true;
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

static void fit_one(json_t *limit, size_t i, const char *id)
{
	const char *type = json_string_value(json_object_get(limit, "type"));
	int resource = resource_of(type);
	rlim_t hard, soft;
	if (resource < 0 || !read_limit(json_object_get(limit, "hard"), &hard) ||
	    !read_limit(json_object_get(limit, "soft"), &soft))
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
	json_object_set_new(limit, "hard", json_integer((int64_t)can));
	if (soft > can)
		json_object_set_new(limit, "soft", json_integer((int64_t)can));
}

void oci_rlimits_fit(json_t *config, const char *id)
{
	json_t *limits = json_object_get(json_object_get(config, "process"), "rlimits");
	if (!limits)
		return;
	if (!json_is_array(limits))
		oci_die(id, "config.json: process.rlimits is not an array");
	for (size_t i = 0; i < json_array_size(limits); i++)
		fit_one(json_array_get(limits, i), i, id);
}
