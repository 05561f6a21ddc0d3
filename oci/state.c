/*
 * `state ID`: the lower runtime's state (runtime-spec "state": ociVersion,
 * id, status, pid, bundle, annotations), with the bundle a hut container
 * was created from rather than hut-oci's own copy of it, and the guest's
 * process counts, as the monitor last wrote them (at the guest's last
 * sleep or its end), as annotations: org.hut.processes.made (besides pid
 * 1) and org.hut.processes.max (the most alive at once); and how the guest
 * started (org.hut.start: "restored from /IMAGE.snapshot", or "cold: " and
 * why not: snapshot.c). The lower runtime's output is read like any
 * input: strictly.
 */
#include "oci.h"

#include <hut/stats.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *annotations(json_t *state)
{
	json_t *notes = json_object_get(state, "annotations");
	if (!json_is_object(notes)) {
		notes = json_object();
		json_object_set_new(state, "annotations", notes);
	}
	return notes;
}

static void add_start(json_t *state, const char *id)
{
	char *start = oci_record_get(id, "start");
	if (!start)
		return;
	start[strcspn(start, "\n")] = 0;
	json_object_set_new(annotations(state), "org.hut.start", oci_json_text(start));
	free(start);
}

static void add_process_counts(json_t *state, const char *id)
{
	struct hut_stats st;
	if (!oci_record_stats(id, &st))
		return;
	json_t *notes = annotations(state);
	char made[24], max[24];
	snprintf(made, sizeof made, "%llu", (unsigned long long)st.processes_made);
	snprintf(max, sizeof max, "%llu", (unsigned long long)st.processes_max);
	json_object_set_new(notes, "org.hut.processes.made", oci_json_text(made));
	json_object_set_new(notes, "org.hut.processes.max", oci_json_text(max));
}

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
	add_process_counts(state, id);
	add_start(state, id);
	oci_json_write(stdout, state);
	fputc('\n', stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
