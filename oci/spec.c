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

static bool has_option(const struct oci_json *options, const char *name)
{
	for (size_t i = 0; options && options->type == OCI_JSON_ARRAY && i < options->n; i++) {
		const char *o = oci_json_string(options->items[i]);
		if (o && !strcmp(o, name))
			return true;
	}
	return false;
}

static void read_mounts(struct oci_spec *s, const char *id)
{
	const struct oci_json *mounts = oci_json_get(s->config, "mounts");
	if (!mounts)
		return;
	if (mounts->type != OCI_JSON_ARRAY)
		oci_die(id, "config.json: mounts is not an array");
	for (size_t i = 0; i < mounts->n; i++) {
		const struct oci_json *m = mounts->items[i];
		const char *dest = oci_json_string(oci_json_get(m, "destination"));
		if (!dest)
			oci_die(id, "config.json: mounts[%zu] has no destination", i);
		if (s->nmounts == OCI_MOUNTS_MAX)
			oci_die(id, "config.json: more than %d mounts", OCI_MOUNTS_MAX);
		const char *type = oci_json_string(oci_json_get(m, "type"));
		const struct oci_json *opts = oci_json_get(m, "options");
		struct oci_mount *om = &s->mounts[s->nmounts++];
		om->destination = dest;
		om->source = oci_json_string(oci_json_get(m, "source"));
		om->bind = (type && !strcmp(type, "bind")) || has_option(opts, "bind") ||
			   has_option(opts, "rbind");
		om->ro = has_option(opts, "ro");
	}
}

static void read_memory_limit(struct oci_spec *s, const char *id)
{
	const struct oci_json *linux_ = oci_json_get(s->config, "linux");
	const struct oci_json *res = oci_json_get(linux_, "resources");
	const struct oci_json *limit = oci_json_get(oci_json_get(res, "memory"), "limit");
	s->memory_limit = -1;
	if (limit && oci_json_int(limit, &s->memory_limit) != 0)
		oci_die(id, "config.json: linux.resources.memory.limit is not a whole number");
	if (s->memory_limit < 0) /* -1 is "unlimited" */
		s->memory_limit = -1;
}

/* linux.namespaces: a network entry with a path is the pod's namespace
 * (CNI's, ctr --with-ns, podman --network ns:); one without is a new,
 * empty namespace; none at all is the host's network. */
static void read_netns(struct oci_spec *s, const char *id)
{
	const struct oci_json *ns = oci_json_get(oci_json_get(s->config, "linux"), "namespaces");
	if (!ns)
		return;
	if (ns->type != OCI_JSON_ARRAY)
		oci_die(id, "config.json: linux.namespaces is not an array");
	for (size_t i = 0; i < ns->n; i++) {
		const char *type = oci_json_string(oci_json_get(ns->items[i], "type"));
		if (!type || strcmp(type, "network"))
			continue;
		const struct oci_json *path = oci_json_get(ns->items[i], "path");
		s->has_netns = true;
		s->netns = oci_json_string(path);
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
	s->config = oci_json_read_file(path, err);
	if (!s->config || s->config->type != OCI_JSON_OBJECT)
		oci_die(id, "%s: %s", path, s->config ? "not a JSON object" : err);
	free(path);
	const char *root = oci_json_string(oci_json_get(oci_json_get(s->config, "root"), "path"));
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
	const struct oci_json *process = oci_json_get(s->config, "process");
	s->args = oci_json_get(process, "args");
	s->env = oci_json_get(process, "env");
	if (s->env && s->env->type != OCI_JSON_ARRAY)
		oci_die(id, "config.json: process.env is not an array");
	read_mounts(s, id);
	read_memory_limit(s, id);
	read_netns(s, id);
}
