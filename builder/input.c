/*
 * Inputs the builder hands to gcc, ld or its own readers must be files:
 * gcc opens a FIFO and waits for a writer that may never come, and a
 * socket or device is no source. A path that does not exist is left for
 * gcc to report as it always does.
 */
#include "builder.h"
#include "image.h"

#include <sys/stat.h>

void builder_check_input(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		builder_die(1, path, "not a file to build from", hut_file_kind(&st));
}
