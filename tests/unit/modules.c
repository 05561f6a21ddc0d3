/*
 * Unit tests for the monitor's module table (monitor/modules/table.c): what
 * the core assumes of it and cannot check at run time. A hypercall number
 * is served once (a second module with the same number would never be
 * reached), an option is taken once, --help names every option, and the
 * hooks and tables that go together come together.
 */
#include "monitor.h"

#include <criterion/criterion.h>
#include <string.h>

/* The core's own hypercalls (hypercall.c) and options (main.c). */
static const uint32_t core_hypercalls[] = {HUT_HC_EXIT, HUT_HC_ABORT, HUT_HC_POLL, HUT_HC_SET_FS,
					   HUT_HC_READY};
static const char *const core_options[] = {
	"--mem",      "--timeout",    "--trace-boot", "--trace-exits", "--env",	    "-e",
	"--hostname", "--no-sandbox", "-h",	      "--help",	       "--version", "--",
	"--snapshot", "--restore"};

Test(modules, every_hypercall_served_once)
{
	int served[HUT_HC_COUNT] = {0};
	for (size_t i = 0; i < sizeof core_hypercalls / sizeof core_hypercalls[0]; i++)
		served[core_hypercalls[i]]++;
	for (size_t m = 0; hut_modules[m]; m++)
		for (size_t h = 0; h < hut_modules[m]->nhypercalls; h++) {
			const struct hut_hypercall *hc = &hut_modules[m]->hypercalls[h];
			cr_assert_lt(hc->nr, HUT_HC_COUNT, "%s: hypercall %u", hut_modules[m]->name,
				     hc->nr);
			cr_assert(hc->name && hc->serve, "%s: hypercall %u", hut_modules[m]->name,
				  hc->nr);
			served[hc->nr]++;
		}
	for (int nr = 0; nr < HUT_HC_COUNT; nr++)
		cr_assert_eq(served[nr], 1, "hypercall %d is served %d times", nr, served[nr]);
}

static int taken(const char *name)
{
	int n = 0;
	for (size_t i = 0; i < sizeof core_options / sizeof core_options[0]; i++)
		n += !strcmp(core_options[i], name);
	for (size_t m = 0; hut_modules[m]; m++)
		for (size_t o = 0; o < hut_modules[m]->noptions; o++) {
			const struct hut_option *opt = &hut_modules[m]->options[o];
			n += !strcmp(opt->name, name) + (opt->alias && !strcmp(opt->alias, name));
		}
	return n;
}

Test(modules, options_taken_once_and_in_help)
{
	for (size_t m = 0; hut_modules[m]; m++)
		for (size_t o = 0; o < hut_modules[m]->noptions; o++) {
			const struct hut_option *opt = &hut_modules[m]->options[o];
			cr_assert(opt->parse, "%s: %s has no parser", hut_modules[m]->name,
				  opt->name);
			cr_assert_eq(taken(opt->name), 1, "%s is taken twice", opt->name);
			cr_assert(!opt->alias || taken(opt->alias) == 1, "%s is taken twice",
				  opt->alias);
			cr_assert(hut_modules[m]->usage && strstr(hut_modules[m]->usage, opt->name),
				  "--help lacks %s", opt->name);
		}
}

/* load.c calls ram_at after ram_size; the tables are walked by count. */
Test(modules, hooks_come_in_pairs)
{
	for (size_t m = 0; hut_modules[m]; m++) {
		const struct hut_module *mod = hut_modules[m];
		cr_assert(mod->name, "module %zu has no name", m);
		cr_assert_eq(!mod->ram_size, !mod->ram_at, "%s: ram_size without ram_at",
			     mod->name);
		cr_assert_eq(!mod->options, !mod->noptions, "%s: options and their count",
			     mod->name);
		cr_assert_eq(!mod->hypercalls, !mod->nhypercalls, "%s: hypercalls and their count",
			     mod->name);
	}
}
