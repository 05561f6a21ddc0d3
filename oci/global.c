/*
 * hut-oci's global options (oci.h, struct oci_global): main.c sets them
 * from the command line, every other file reads them. Defined apart from
 * main.c so that no file depends on main.c (scripts/check-deps.sh).
 */
#include "oci.h"

struct oci_global oci_g = {.root = OCI_DEFAULT_ROOT};
