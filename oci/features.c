/*
 * `features` (runtime-spec's features document, as `runc features` prints
 * it) and `--version`. hut-oci accepts what the lower runtime accepts; the
 * document says what hut-oci itself reads from the spec.
 */
#include "oci.h"

#include <hut/version.h>
#include <stdio.h>

int oci_cmd_features(void)
{
	fputs("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"" OCI_SPEC_VERSION "\","
	      "\"hooks\":[\"prestart\",\"createRuntime\",\"createContainer\",\"startContainer\","
	      "\"poststart\",\"poststop\"],"
	      "\"mountOptions\":[\"bind\",\"rbind\",\"ro\",\"rw\",\"nosuid\",\"nodev\",\"noexec\"],"
	      "\"linux\":{\"namespaces\":[\"cgroup\",\"ipc\",\"mount\",\"network\",\"pid\","
	      "\"user\",\"uts\"],\"cgroup\":{\"v1\":true,\"v2\":true}},"
	      "\"annotations\":{\"org.hut.oci.version\":\"" HUT_VERSION "\"}}\n",
	      stdout);
	return 0;
}

void oci_print_version(void)
{
	printf("hut-oci version %s\nspec: %s\n", HUT_VERSION, OCI_SPEC_VERSION);
}
