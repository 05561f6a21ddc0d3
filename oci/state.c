/*
 * `state ID`: the lower runtime's state (runtime-spec "state": ociVersion,
 * id, status, pid, bundle, annotations), with the bundle a hut container
 * was created from rather than hut-oci's own copy of it. The lower
 * runtime's output is read like any input: strictly.
 */
#include "oci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int oci_cmd_state(const char *id)
{
	struct oci_argv a = {0};
	oci_lower_globals(&a);
	oci_argv_add(&a, "state");
	oci_argv_add(&a, id);
	char *bundle = oci_record_bundle(id);
	if (!bundle)
		oci_lower_exec(&a); /* not ours: its state as it is */
	int status;
	char *out = oci_lower_capture(&a, &status), err[OCI_JSON_ERR_MAX];
	if (status != 0) /* its message is on stderr already */
		return status;
	json_t *state = out ? oci_json_parse(out, strlen(out), err, NULL) : NULL;
	if (!state || !json_is_object(state))
		oci_die(id, "%s state printed no JSON object (%s)", oci_g.lower_name,
			state ? "another type" : err);
	json_object_set_new(state, "bundle", oci_json_text(bundle));
	oci_json_write(stdout, state);
	fputc('\n', stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
