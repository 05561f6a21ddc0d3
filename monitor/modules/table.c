/*
 * The module table: every device or service the monitor offers, in the
 * order their hooks run and their lines appear in --help. A new module is
 * a file in this folder (or a few, with a header) defining its struct
 * hut_module, and one line here (docs/ARCHITECTURE.md, "Modules").
 */
#include "../module.h"

extern const struct hut_module hut_module_console, hut_module_core, hut_module_files,
	hut_module_net, hut_module_pool, hut_module_release, hut_module_signals, hut_module_stats,
	hut_module_ticks;

const struct hut_module *const hut_modules[] = {
	&hut_module_console, &hut_module_core,
	&hut_module_files,   &hut_module_net,
	&hut_module_pool,    &hut_module_release,
	&hut_module_signals, &hut_module_stats,
	&hut_module_ticks,   NULL,
};
