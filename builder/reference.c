/*
 * Image references as containerd, podman and registries read them
 * ([DOMAIN/]PATH[:TAG][@DIGEST]): lower-case path components joined by
 * '/', each of letters and digits separated by '.', '_', "__" or dashes; a
 * first component with a '.' or a ':' port (or "localhost") is a domain; a
 * tag of at most 128 word characters, dots and dashes; a name of at most
 * 255 bytes. The grammar is the distribution project's, written anew here
 * as one POSIX regular expression.
 */
#include "builder.h"

#include <regex.h>
#include <string.h>

#define DOMAIN_PART "([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
#define DOMAIN DOMAIN_PART "(\\." DOMAIN_PART ")*(:[0-9]+)?"
#define COMPONENT "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*"
#define TAG "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
#define DIGEST "[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}"
#define REFERENCE "^(" DOMAIN "/)?" COMPONENT "(/" COMPONENT ")*(:" TAG ")?(@" DIGEST ")?$"

const char *builder_ref_check(const char *ref)
{
	static regex_t re;
	static int compiled;
	if (!compiled && regcomp(&re, REFERENCE, REG_EXTENDED | REG_NOSUB) != 0)
		return "cannot check references (regcomp failed)";
	compiled = 1;
	size_t name = strcspn(ref, "@");
	const char *colon = memchr(ref, ':', name);
	const char *slash = strrchr(ref, '/');
	if (colon && slash && colon < slash)
		colon = memchr(slash, ':', (size_t)(ref + name - slash)); /* a domain's port */
	if ((colon ? (size_t)(colon - ref) : name) > 255)
		return "a name longer than 255 bytes";
	if (regexec(&re, ref, 0, NULL, 0) != 0)
		return "not an image reference: lower-case [DOMAIN/]NAME[:TAG], e.g. "
		       "localhost/web:1.0";
	return NULL;
}
