/*
 * What hut-oci reads from a bundle's config.json: the process, the root,
 * the mounts, the memory limit and the network namespace. The file is hostile input (json.c reads
 * it strictly); a field of the wrong type is reported, never guessed at.
 */
#include "oci.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static bool has_option(const json_t *options, const char *name)
{
	for (size_t i = 0; i < json_array_size(options); i++) {
		const char *o = json_string_value(json_array_get(options, i));
		if (o && !strcmp(o, name))
			return true;
	}
	return false;
}

static void read_mounts(struct oci_spec *s, const char *id)
{
	const json_t *mounts = json_object_get(s->config, "mounts");
	if (!mounts)
		return;
	if (!json_is_array(mounts))
		oci_die(id, "config.json: mounts is not an array");
	for (size_t i = 0; i < json_array_size(mounts); i++) {
		const json_t *m = json_array_get(mounts, i);
		const char *dest = json_string_value(json_object_get(m, "destination"));
		if (!dest)
			oci_die(id, "config.json: mounts[%zu] has no destination", i);
		if (s->nmounts == OCI_MOUNTS_MAX)
			oci_die(id, "config.json: more than %d mounts", OCI_MOUNTS_MAX);
		const char *type = json_string_value(json_object_get(m, "type"));
		const json_t *opts = json_object_get(m, "options");
		struct oci_mount *om = &s->mounts[s->nmounts++];
		om->destination = dest;
		om->source = json_string_value(json_object_get(m, "source"));
		om->bind = (type && !strcmp(type, "bind")) || has_option(opts, "bind") ||
			   has_option(opts, "rbind");
		om->ro = has_option(opts, "ro");
	}
}

static void read_memory_limit(struct oci_spec *s, const char *id)
{
	const json_t *linux_ = json_object_get(s->config, "linux");
	const json_t *res = json_object_get(linux_, "resources");
	const json_t *limit = json_object_get(json_object_get(res, "memory"), "limit");
	/* With every number a double, the limit is not looked at: only a hut
	 * image's rewrite uses it, and rewrite.c refuses such a config. */
	if (limit && !json_is_integer(limit) && !s->inexact[0])
		oci_die(id, "config.json: linux.resources.memory.limit is not a whole number");
	s->memory_limit = json_is_integer(limit) ? json_integer_value(limit) : -1;
	if (s->memory_limit < 0) /* -1 is "unlimited" */
		s->memory_limit = -1;
}

/* linux.namespaces: a network entry with a path is the pod's namespace
 * (CNI's, ctr --with-ns, podman --network ns:); one without is a new,
 * empty namespace; none at all is the host's network. */
static void read_netns(struct oci_spec *s, const char *id)
{
	const json_t *ns = json_object_get(json_object_get(s->config, "linux"), "namespaces");
	if (!ns)
		return;
	if (!json_is_array(ns))
		oci_die(id, "config.json: linux.namespaces is not an array");
	for (size_t i = 0; i < json_array_size(ns); i++) {
		const char *type =
			json_string_value(json_object_get(json_array_get(ns, i), "type"));
		if (!type || strcmp(type, "network"))
			continue;
		const json_t *path = json_object_get(json_array_get(ns, i), "path");
		s->has_netns = true;
		s->netns = json_string_value(path);
		if (path && (!s->netns || s->netns[0] != '/'))
			oci_die(id,
				"config.json: linux.namespaces[%zu].path is not an absolute path",
				i);
	}
}

static char *absolute(const char *path, const char *what, const char *id)
{
	char *abs = realpath(path, NULL);
	if (!abs)
		oci_die(id, "%s %s: %s", what, path, strerror(errno));
	return abs;
}

void oci_spec_read(struct oci_spec *s, const char *bundle, const char *id)
{
	memset(s, 0, sizeof *s);
	s->bundle = absolute(bundle, "bundle", id);
	size_t n = strlen(s->bundle) + sizeof "/config.json";
	char *path = malloc(n), err[OCI_JSON_ERR_MAX];
	if (!path)
		oci_die(id, "out of memory");
	snprintf(path, n, "%s/config.json", s->bundle);
	s->config = oci_json_read_file(path, err, s->inexact);
	if (!s->config || !json_is_object(s->config))
		oci_die(id, "%s: %s", path, s->config ? "not a JSON object" : err);
	free(path);
	const char *root =
		json_string_value(json_object_get(json_object_get(s->config, "root"), "path"));
	if (!root)
		oci_die(id, "config.json: root.path is missing");
	if (root[0] == '/') {
		s->rootfs = absolute(root, "root.path", id);
	} else {
		char joined[PATH_MAX];
		if (snprintf(joined, sizeof joined, "%s/%s", s->bundle, root) >= (int)sizeof joined)
			oci_die(id, "config.json: root.path is too long");
		s->rootfs = absolute(joined, "root.path", id);
	}
	const json_t *process = json_object_get(s->config, "process");
	s->args = json_object_get(process, "args");
	s->env = json_object_get(process, "env");
	if (s->env && !json_is_array(s->env))
		oci_die(id, "config.json: process.env is not an array");
	read_mounts(s, id);
	read_memory_limit(s, id);
	read_netns(s, id);
}
