/*
 * Unit tests for `hut bench`'s statistics (bench/harness/stats.c), its JSON
 * escaper (builder/json.c) and the OCI bundle writer (builder/pack.c).
 */
#include "bench.h"
#include "json_string.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- statistics ------------------------------------------------------------ */

Test(stats, odd_count)
{
	double v[] = {5, 1, 3};
	struct bench_stats st;
	bench_stats(v, 3, &st);
	cr_expect_eq(st.n, 3);
	cr_expect_eq(st.min, 1);
	cr_expect_eq(st.max, 5);
	cr_expect_eq(st.median, 3);
	cr_expect_eq(st.p50, 3);
	cr_expect_eq(st.p99, 5);
}

Test(stats, even_count_median_is_the_mean_of_the_middle_two)
{
	double v[] = {4, 1, 3, 2};
	struct bench_stats st;
	bench_stats(v, 4, &st);
	cr_expect_eq(st.median, 2.5);
	cr_expect_eq(st.p50, 2); /* nearest rank: a real sample */
	cr_expect_eq(st.min, 1);
	cr_expect_eq(st.max, 4);
}

Test(stats, leaves_the_input_alone)
{
	double v[] = {9, 7, 8};
	struct bench_stats st;
	bench_stats(v, 3, &st);
	cr_expect(v[0] == 9 && v[1] == 7 && v[2] == 8);
}

Test(stats, single_and_empty)
{
	double one = 42;
	struct bench_stats st;
	bench_stats(&one, 1, &st);
	cr_expect(st.min == 42 && st.max == 42 && st.median == 42 && st.p99 == 42);
	bench_stats(NULL, 0, &st);
	cr_expect(st.n == 0 && st.median == 0 && st.max == 0);
}

Test(stats, nearest_rank_percentiles)
{
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = i + 1; /* 1..100, sorted */
	cr_expect_eq(bench_percentile(v, 100, 50), 50);
	cr_expect_eq(bench_percentile(v, 100, 99), 99);
	cr_expect_eq(bench_percentile(v, 100, 100), 100);
	cr_expect_eq(bench_percentile(v, 100, 1), 1);
	cr_expect_eq(bench_percentile(v, 10, 90), 9);
	cr_expect_eq(bench_percentile(v, 10, 99), 10);
	cr_expect_eq(bench_percentile(v, 10, 50), 5);
	cr_expect_eq(bench_percentile(v, 0, 50), 0);
}

/* --- JSON strings ------------------------------------------------------------ */

Test(json, escapes_quotes_backslashes_and_control_bytes)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	hut_json_string(f, "a\"b\\c\nd\x01\x7f");
	fclose(f);
	cr_expect_str_eq(buf, "\"a\\\"b\\\\c\\nd\\u0001\\u007f\"");
	free(buf);
}

/* --- the OCI bundle ------------------------------------------------------------ */

static char bundle[64];

static void make_dir(void)
{
	snprintf(bundle, sizeof bundle, "/tmp/hut-unit-bundle.XXXXXX");
	cr_assert_not_null(mkdtemp(bundle));
}

static void remove_dir(void)
{
	char *cmd = builder_xasprintf("rm -rf '%s'", bundle);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

/* Runs python3's JSON parser on the config and evaluates a check on it
 * (exec'd directly: no shell quoting between us and Python). */
static int config_check(const char *python_expr)
{
	char *config = builder_xasprintf("%s/config.json", bundle);
	struct builder_args cmd = {0};
	builder_args_add(&cmd, "python3");
	builder_args_add(&cmd, "-c");
	builder_args_add(&cmd, "import json, sys\n"
			       "c = json.load(open(sys.argv[1]))\n"
			       "sys.exit(0 if eval(sys.argv[2]) else 1)\n");
	builder_args_add(&cmd, config);
	builder_args_add(&cmd, python_expr);
	int rc = builder_run(&cmd);
	builder_args_free(&cmd);
	free(config);
	return rc;
}

Test(pack, writes_a_parsable_config_and_the_image, .init = make_dir, .fini = remove_dir)
{
	char why[256] = "";
	char *args[] = {"a b", "say \"hi\""};
	int rc = builder_pack_bundle(bundle, "/bin/true", 2, args, why, sizeof why);
	cr_assert_eq(rc, 0, "pack failed: %s", why);

	char *image = builder_xasprintf("%s/rootfs/true", bundle);
	struct stat st;
	cr_assert_eq(stat(image, &st), 0, "rootfs/true missing");
	cr_expect(S_ISREG(st.st_mode) && access(image, X_OK) == 0, "image not executable");
	struct stat orig;
	cr_assert_eq(stat("/bin/true", &orig), 0);
	cr_expect_eq(st.st_size, orig.st_size);
	free(image);

	cr_expect_eq(config_check("True"), 0, "config.json does not parse as JSON");
	cr_expect_eq(config_check("c['process']['args'] == ['/true', 'a b', 'say \"hi\"']"), 0,
		     "process.args wrong");
	cr_expect_eq(config_check("c['root'] == {'path': 'rootfs', 'readonly': True}"), 0,
		     "root wrong");
	cr_expect_eq(config_check("c['process']['terminal'] is False and "
				  "c['ociVersion'].startswith('1.0')"),
		     0, "terminal/ociVersion wrong");
	cr_expect_eq(config_check("sorted(n['type'] for n in c['linux']['namespaces']) == "
				  "['ipc', 'mount', 'network', 'pid', 'uts']"),
		     0, "namespaces wrong");
}

Test(pack, refuses_a_missing_image, .init = make_dir, .fini = remove_dir)
{
	char why[256] = "";
	cr_expect_eq(builder_pack_bundle(bundle, "/nonexistent/x.hut", 0, NULL, why, sizeof why),
		     -1);
	cr_expect(strstr(why, "/nonexistent/x.hut") != NULL, "why: %s", why);
}
