/* The files module's state (files.h), in a file of its own: every other
 * file of the module uses it, and it uses none of them. */
#include "files.h"

struct hut_files hut_files;
