/*
 * Which host limit an error means. Started by the thousand, monitors meet the
 * host's limits one after another (open files, memory, threads, KVM's own);
 * strerror alone ("No file descriptors available") does not say which knob
 * to turn, so the line that ends the monitor names it.
 */
#include "monitor.h"

#include <errno.h>
#include <string.h>

const char *hut_limit_text(int err)
{
	switch (err) {
	case EMFILE:
		return "too many open files: the monitor's limit, ulimit -n, is reached";
	case ENFILE:
		return "too many open files on the host: fs.file-max is reached";
	case ENOMEM:
		return "out of memory: the host's, or the monitor's ulimit -v";
	case EAGAIN:
		return "no more threads: ulimit -u, kernel.threads-max or the pids cgroup";
	case ENOSPC:
		return "a host limit on KVM or memory maps is reached (vm.max_map_count)";
	default:
		return strerror(err);
	}
}
