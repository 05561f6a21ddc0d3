/*
 * Packed files: the blob `hut build` writes (builder/files.c) passes the
 * checker the monitor runs (image/packed.c) and walks back to what went in;
 * each rule of the format, broken one at a time in an otherwise good blob,
 * is refused. And the default /etc/localtime is byte for byte the UTC file
 * tzdata ships, where tzdata is installed.
 */
#include "packed.h"
#include "builder.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A small tree, written by the builder, read back whole. */
static uint8_t *blob;
static size_t blob_size;

static void make_blob(void)
{
	struct builder_files *t = builder_files_new();
	builder_etc_defaults(t);
	builder_files_add_data(t, "/srv/b.txt", S_IFREG | 0640, "bee\n", 4, 0);
	builder_files_add_data(t, "/srv/a.txt", S_IFREG | 0644, "ay\n", 3, 0);
	builder_files_add_data(t, "/srv/link", S_IFLNK | 0777, "a.txt", 5, 0);
	builder_files_add_data(t, "/etc/passwd", S_IFREG | 0600, "me:x:1:1::/:/bin/sh\n", 20, 0);
	const char *path = builder_temp_file("unit.hut", ".files");
	builder_files_write(t, path);
	FILE *f = fopen(path, "rb");
	cr_assert(f, "no blob at %s", path);
	fseek(f, 0, SEEK_END);
	blob_size = (size_t)ftell(f);
	rewind(f);
	blob = malloc(blob_size);
	cr_assert_eq(fread(blob, 1, blob_size, f), blob_size);
	fclose(f);
}

static int refused(void)
{
	char err[200];
	return hut_files_check(blob, blob_size, err, sizeof err) != 0;
}

static struct hut_files_header *header(void)
{
	return (struct hut_files_header *)blob;
}

static struct hut_files_node *node(uint32_t i)
{
	return (struct hut_files_node *)(blob + header()->nodes) + i;
}

static struct hut_files_entry *entry(uint32_t dir, uint32_t k)
{
	return (struct hut_files_entry *)(blob + node(dir)->offset) + k;
}

TestSuite(packed, .init = make_blob);

struct seen {
	char lines[16][128];
	int n;
};

static int collect(const char *path, const struct hut_files_node *n, const uint8_t *b, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 16)
		snprintf(s->lines[s->n++], 128, "%o %s %.*s", n->mode, path,
			 S_ISDIR(n->mode) ? 0 : (int)n->size, (const char *)b + n->offset);
	return 0;
}

Test(packed, written_blob_checks_out_and_walks_back)
{
	char err[200] = "";
	cr_assert_eq(hut_files_check(blob, blob_size, err, sizeof err), 0, "%s", err);
	struct seen s = {.n = 0};
	hut_files_walk(blob, collect, &s);
	const char *want[] = {
		"40755 / ",
		"40755 /etc ",
		"100644 /etc/group root:x:0:\nnogroup:x:65534:\n",
		"100644 /etc/hosts 127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
		"ip6-loopback\n",
		NULL, /* localtime: binary */
		"100600 /etc/passwd me:x:1:1::/:/bin/sh\n",
		"40755 /srv ",
		"100644 /srv/a.txt ay\n",
		"100640 /srv/b.txt bee\n",
		"120777 /srv/link a.txt"};
	cr_assert_eq(s.n, 10);
	for (int i = 0; i < 10; i++)
		if (want[i])
			cr_expect_str_eq(s.lines[i], want[i]);
	cr_expect(!strncmp(s.lines[4], "100644 /etc/localtime TZif2", 27), "%s", s.lines[4]);
}

Test(packed, bad_magic)
{
	header()->magic ^= 1;
	cr_assert(refused());
}
Test(packed, other_version)
{
	header()->version = 2;
	cr_assert(refused());
}
Test(packed, size_disagrees)
{
	header()->size--;
	cr_assert(refused());
}
Test(packed, no_nodes)
{
	header()->node_count = 0;
	cr_assert(refused());
}
Test(packed, node_table_outside)
{
	header()->nodes = blob_size - 8;
	cr_assert(refused());
}
Test(packed, root_not_a_dir)
{
	node(0)->mode = S_IFREG | 0644;
	cr_assert(refused());
}
Test(packed, device_node)
{
	node(3)->mode = S_IFCHR | 0644;
	cr_assert(refused());
}
Test(packed, data_outside)
{
	node(3)->offset = blob_size;
	cr_assert(refused());
}
Test(packed, data_wraps)
{
	node(3)->size = UINT64_MAX - 2;
	cr_assert(refused());
}
Test(packed, entries_outside)
{
	node(0)->size = 1u << 30;
	cr_assert(refused());
}
Test(packed, entries_misaligned)
{
	node(0)->offset += 4;
	cr_assert(refused());
}
Test(packed, empty_symlink)
{
	for (uint32_t i = 0; i < header()->node_count; i++)
		if (S_ISLNK(node(i)->mode))
			node(i)->size = 0;
	cr_assert(refused());
}
Test(packed, entry_names_itself)
{
	entry(0, 0)->node = 0;
	cr_assert(refused());
}
Test(packed, entry_names_an_earlier_node)
{
	entry(1, 0)->node = 1;
	cr_assert(refused());
}
Test(packed, entry_past_the_table)
{
	entry(0, 0)->node = header()->node_count;
	cr_assert(refused());
}
Test(packed, node_named_twice)
{
	entry(0, 1)->node = entry(0, 0)->node;
	cr_assert(refused());
}
Test(packed, entries_out_of_order)
{
	struct hut_files_entry e = *entry(0, 0);
	*entry(0, 0) = *entry(0, 1);
	*entry(0, 1) = e;
	cr_assert(refused());
}
Test(packed, name_with_slash)
{
	blob[entry(0, 0)->name] = '/';
	cr_assert(refused());
}
Test(packed, name_dotdot)
{
	entry(0, 0)->name_len = 2;
	memcpy(blob + entry(0, 0)->name, "..", 2);
	cr_assert(refused());
}
Test(packed, name_empty)
{
	entry(0, 0)->name_len = 0;
	cr_assert(refused());
}
Test(packed, name_outside)
{
	entry(0, 0)->name = blob_size;
	cr_assert(refused());
}
Test(packed, wrong_parent)
{
	node(1)->parent = 2;
	cr_assert(refused());
}
Test(packed, reserved_set)
{
	node(2)->reserved = 1;
	cr_assert(refused());
}

Test(packed, default_localtime_is_tzdata_utc)
{
	size_t size;
	const unsigned char *ours = builder_utc_tzif(&size);
	FILE *f = fopen("/usr/share/zoneinfo/Etc/UTC", "rb");
	if (!f)
		cr_skip_test("tzdata is not installed: nothing to compare with");
	unsigned char theirs[512];
	size_t n = fread(theirs, 1, sizeof theirs, f);
	fclose(f);
	cr_assert_eq(n, size);
	cr_assert(!memcmp(ours, theirs, size));
}
