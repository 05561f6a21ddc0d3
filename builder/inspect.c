/*
 * `hut inspect IMAGE`: what the monitor would see, for a person. The image
 * is parsed by the monitor's own reader (image/image.c), so "valid: yes"
 * here means the monitor accepts it. The CRC is checked separately (the
 * reader is told to skip it) so a corrupt image still shows its manifest.
 */
#include "builder.h"
#include "image.h"
#include "packed.h"
#include "snappack.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INSPECT_HELP "hut inspect --help"

/* Exit statuses, as hut-monitor uses them for the same conditions. */
#define INSPECT_INVALID 126
#define INSPECT_MISSING 127

static void inspect_help(void)
{
	printf("usage: hut inspect IMAGE | OCI-ARCHIVE | OCI-LAYOUT-DIR\n"
	       "       hut inspect --syscalls IMAGE\n"
	       "\n"
	       "Shows an image's manifest (name, ABI version, entry points, default memory,\n"
	       "devices), whether it has symbols (not after strip), its loadable segments,\n"
	       "the files packed into it (mode, size, path, symlink target; totals),\n"
	       "whether its checksum matches, then whether hut-monitor would accept it.\n"
	       "\n"
	       "IMAGE may also be an OCI image from `hut pack`: an archive (--oci-archive)\n"
	       "or a layout folder (--oci-layout). It is followed from index.json to its\n"
	       "one manifest, config and layer; every media type, size and digest is\n"
	       "checked, then the image the layer holds is shown as above, after the\n"
	       "image's name, manifest digest and command. An archive and a layout of one\n"
	       "image show the same but for the first line. A snapshot packed beside the\n"
	       "image (hut pack --snapshot) is shown with its size and checked. A broken\n"
	       "one is refused in one line.\n"
	       "\n"
	       "--syscalls lists the syscalls the image's code can make, one a line:\n"
	       "number, name, what the libos does with it (served, no-op: accepted and\n"
	       "nothing changes, unserved: an appliance gets ENOSYS) and the functions\n"
	       "they come from. Found in the image itself: the records hut's musl leaves\n"
	       "at each syscall site, every raw `syscall` instruction, and the constant\n"
	       "numbers callers pass to syscall() (objdump disassembles). The list may\n"
	       "hold syscalls a run never makes; \"any: yes\" says why it may also miss\n"
	       "some (a number computed at run time). An image without symbols shows the\n"
	       "list hut build recorded in it before strip (\"recorded:\").\n"
	       "\n"
	       "Exit status: 0 valid, 126 invalid or corrupt (a broken OCI image too),\n"
	       "127 not found.\n");
}

/* "name" or "name+0x10" for addr. musl's _start is written in assembly
 * and is no STT_FUNC, so the symbolizer misses it: try it by name. */
static void symbol_name(const struct hut_image *img, uint64_t addr, char *buf, size_t len)
{
	uint64_t off = 0, start;
	const char *sym = hut_image_symbolize(img, addr, &off);
	if (!sym && hut_image_symbol(img, "_start", &start) == 0 && start == addr)
		sym = "_start";
	if (!sym)
		snprintf(buf, len, "?");
	else if (off)
		snprintf(buf, len, "%s+0x%llx", sym, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", sym);
}

static void print_symbol(const struct hut_image *img, const char *label, uint64_t addr,
			 const char *note)
{
	char where[160];
	symbol_name(img, addr, where, sizeof where);
	if (*note)
		printf("%-10s0x%016llx  %-24s%s\n", label, (unsigned long long)addr, where, note);
	else
		printf("%-10s0x%016llx  %s\n", label, (unsigned long long)addr, where);
}

static const char *device_type(uint32_t type)
{
	switch (type) {
	case HUT_DEVICE_BLOCK:
		return "block";
	case HUT_DEVICE_NET:
		return "net";
	default:
		return "unknown";
	}
}

static void print_devices(const struct hut_manifest *m)
{
	if (m->device_count == 0) {
		printf("%-10snone\n", "devices:");
		return;
	}
	printf("%-10s%u\n", "devices:", m->device_count);
	/* The count is hostile until the reader accepted it: clamp. */
	for (uint32_t i = 0; i < m->device_count && i < HUT_DEVICES_MAX; i++)
		printf("  %-*.*s %s (type %u)\n", HUT_DEVICE_NAME_MAX, HUT_DEVICE_NAME_MAX,
		       m->devices[i].name, device_type(m->devices[i].type), m->devices[i].type);
}

static void print_manifest(const struct hut_image *img)
{
	const struct hut_manifest *m = &img->manifest;
	char mem[32];
	printf("%-10s%.*s\n", "name:", HUT_NAME_MAX, m->name);
	printf("%-10s%u\n", "abi:", m->abi_version);
	print_symbol(img, "boot:", m->boot_entry,
		     hut_image_has_warm_stub(img) ? "(with the warm-up stub a pool runs)" : "");
	print_symbol(img, "syscall:", m->syscall_entry, "");
	print_symbol(img, "traps:", m->trap_entry,
		     "(" BUILDER_STR(HUT_TRAP_VECTORS) " stubs, " BUILDER_STR(
			     HUT_TRAP_STRIDE) " bytes apart)");
	builder_size_format(m->mem_default, mem, sizeof mem);
	printf("%-10s%s\n", "memory:", mem);
	print_devices(m);
}

/* A stripped image (-s, strip) runs as well; it only loses names. */
static void print_symbols(const struct hut_image *img)
{
	uint64_t addr;
	if (hut_image_symbol(img, HUT_SYM_BOOT_ENTRY, &addr) == 0)
		printf("%-10syes\n", "symbols:");
	else
		printf("%-10snone (stripped: crash reports show addresses without names)\n",
		       "symbols:");
}

/* The address each segment runs at, and for the libos's window (abi.h)
 * where in guest RAM it is. */
static void print_segments(const struct hut_image *img)
{
	printf("segments:\n  %-18s  %-10s  %-10s  %-5s  %s\n", "address", "memsz", "filesz",
	       "flags", "part");
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct hut_segment *s = &img->seg[i];
		printf("  0x%016llx  0x%08llx  0x%08llx  %c%c%c    ", (unsigned long long)s->va,
		       (unsigned long long)s->memsz, (unsigned long long)s->filesz,
		       s->flags & PF_R ? 'R' : '-', s->flags & PF_W ? 'W' : '-',
		       s->flags & PF_X ? 'X' : '-');
		if (s->va == s->gpa)
			printf("app\n");
		else
			printf("libos (guest RAM 0x%llx)\n", (unsigned long long)s->gpa);
	}
}

/* "-rw-r--r--" for a mode. */
static void mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	out[0] = S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : '-';
	for (int i = 0; i < 9; i++)
		out[i + 1] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & 0100) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & 010) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & 01) ? 't' : 'T';
	out[10] = 0;
}

struct file_totals {
	uint64_t files, dirs, links, bytes;
};

static int list_file(const char *path, const struct hut_files_node *n, const uint8_t *blob,
		     void *ctx)
{
	struct file_totals *t = ctx;
	char mode[11];
	mode_string(n->mode, mode);
	if (S_ISDIR(n->mode)) {
		t->dirs++;
		printf("  %s %10s  %s\n", mode, "", path);
	} else if (S_ISLNK(n->mode)) {
		t->links++;
		printf("  %s %10s  %s -> %.*s\n", mode, "", path, (int)n->size,
		       (const char *)blob + n->offset);
	} else {
		t->files++;
		t->bytes += n->size;
		printf("  %s %10llu  %s\n", mode, (unsigned long long)n->size, path);
	}
	return 0;
}

static void print_files(const struct hut_image *img)
{
	struct file_totals t = {0, 0, 0, 0};
	char total[32];
	if (!img->files) {
		printf("%-10snone\n", "files:");
		return;
	}
	printf("files:\n");
	hut_files_walk(img->files, list_file, &t);
	builder_size_format(t.bytes, total, sizeof total);
	printf("  %llu files (%s), %llu directories, %llu symlinks; %llu bytes packed\n",
	       (unsigned long long)t.files, total, (unsigned long long)t.dirs,
	       (unsigned long long)t.links, (unsigned long long)img->manifest.files_size);
}

/* Everything the reader got out of the file, manifest or not. */
static void print_image(const struct hut_image *img, int manifest)
{
	if (manifest)
		print_manifest(img);
	else
		printf("%-10snone (not finished by hut build?)\n", "manifest:");
	print_symbol(img, "entry:", img->entry, "(ELF entry: where a Linux process starts)");
	print_symbols(img);
	print_segments(img);
	if (manifest)
		print_files(img);
	if (manifest)
		printf("%-10smanifest %08x, actual %08x: %s\n", "crc32:", img->manifest.crc32,
		       img->crc_actual, img->manifest.crc32 == img->crc_actual ? "ok" : "BAD");
}

/* An image to inspect: a file, or bytes already in memory (the one file of
 * an OCI image's layer), shown under name. */
struct source {
	const char *name;
	const void *data; /* NULL: read the file name */
	size_t len;
};

static enum hut_image_result open_source(struct hut_image *img, const struct source *s,
					 unsigned flags)
{
	if (s->data)
		return hut_image_parse(img, s->data, s->len, flags);
	return hut_image_open(img, s->name, flags);
}

static void print_file(const struct source *s)
{
	struct stat st;
	if (s->data) {
		printf("%-10s%s (the layer's one file)\n", "file:", s->name);
		printf("%-10s%zu bytes\n", "size:", s->len);
		return;
	}
	printf("%-10s%s\n", "file:", s->name);
	if (stat(s->name, &st) == 0)
		printf("%-10s%lld bytes\n", "size:", (long long)st.st_size);
}

/* A refused image: show what can still be read, at least its ELF view. */
static int report_invalid(const struct source *s, const char *err)
{
	struct hut_image img;
	if (open_source(&img, s, HUT_IMAGE_NO_MANIFEST) == HUT_IMAGE_OK)
		print_image(&img, img.manifest.magic == HUT_MANIFEST_MAGIC);
	hut_image_close(&img);
	printf("%-10sno (%s)\n", "valid:", err);
	return INSPECT_INVALID;
}

static int inspect(const struct source *s)
{
	struct hut_image img;
	enum hut_image_result r = open_source(&img, s, HUT_IMAGE_NO_CRC);
	if (r == HUT_IMAGE_NOT_FOUND) {
		hut_image_close(&img);
		builder_die(INSPECT_MISSING, s->name, "image not found", NULL);
	}
	print_file(s);
	char err[sizeof img.err];
	memcpy(err, img.err, sizeof err);
	if (r != HUT_IMAGE_OK) {
		hut_image_close(&img);
		return report_invalid(s, err);
	}
	print_image(&img, 1);
	int crc_ok = img.manifest.crc32 == img.crc_actual;
	hut_image_close(&img);
	if (!crc_ok)
		printf("%-10sno (checksum mismatch: the loadable bytes changed after the build)\n",
		       "valid:");
	else
		printf("%-10syes\n", "valid:");
	return crc_ok ? 0 : INSPECT_INVALID;
}

/* The snapshot beside the image in the layer (hut pack --snapshot): its
 * packed size, the data it holds and the sparse file it expands to. NULL,
 * or why it is broken. */
static const char *print_snapshot(const struct builder_oci_image *oci)
{
	struct hut_snappack_header h;
	uint64_t data;
	if (!oci->snapshot)
		return NULL;
	if (oci->snapshot_len < sizeof h)
		return "the snapshot is shorter than its header";
	memcpy(&h, oci->snapshot, sizeof h);
	uint64_t table = (uint64_t)h.runs * sizeof(struct hut_snappack_run);
	if (h.runs > HUT_SNAPPACK_RUNS_MAX || oci->snapshot_len - sizeof h < table)
		return "the snapshot's run table is cut short";
	struct hut_snappack_run *runs = builder_xmalloc(table ? table : 1);
	memcpy(runs, (const char *)oci->snapshot + sizeof h, table);
	const char *why = hut_snappack_check(&h, runs, oci->snapshot_len, &data);
	free(runs);
	if (why)
		return why;
	printf("%-10s/%s%s, %zu KiB packed: %llu KiB of data in %u runs of a %llu KiB sparse "
	       "file\n",
	       "snapshot:", oci->name, BUILDER_SNAPSHOT_SUFFIX, oci->snapshot_len >> 10,
	       (unsigned long long)data >> 10, h.runs, (unsigned long long)h.size >> 10);
	return NULL;
}

/* An OCI image from `hut pack --oci-archive` or `--oci-layout`: the layout
 * is checked whole (oci_read.c), then the image its one layer holds is
 * inspected as a file would be. Archive and layout of one image show the
 * same, but for the first line. A broken one is one line and 126. */
static int inspect_oci(const char *kind, const char *path, struct builder_oci_files *files)
{
	struct builder_oci_image oci;
	char why[512];
	if (builder_oci_read(files, &oci, why, sizeof why) != 0)
		builder_die(INSPECT_INVALID, path, "not a valid OCI image", why);
	printf("%-10s%s\n", kind, path);
	printf("%-10s%s, %zu blobs, digests and sizes ok\n", "oci:", oci.ref, oci.blobs);
	printf("%-10s%s\n", "manifest:", oci.manifest);
	printf("%-10s%s\n", "command:", oci.command);
	const char *broken = print_snapshot(&oci);
	if (broken) {
		builder_oci_image_free(&oci);
		builder_die(INSPECT_INVALID, path, "not a valid OCI image", broken);
	}
	struct source s = {oci.name, oci.image, oci.image_len};
	int rc = inspect(&s);
	builder_oci_image_free(&oci);
	return rc;
}

static int inspect_oci_archive(const char *path, const struct builder_buf *b)
{
	struct builder_oci_files *files = builder_xmalloc(sizeof *files);
	char why[512];
	if (builder_oci_files_of_archive(files, b->data, b->len, why, sizeof why) != 0)
		builder_die(INSPECT_INVALID, path, "not a valid OCI archive", why);
	int rc = inspect_oci("archive:", path, files);
	builder_oci_files_free(files);
	free(files);
	return rc;
}

static int inspect_oci_layout(const char *path)
{
	struct builder_oci_files *files = builder_xmalloc(sizeof *files);
	char why[512];
	if (builder_oci_files_of_layout(files, path, why, sizeof why) != 0) {
		builder_oci_files_free(files);
		builder_die(INSPECT_INVALID, path, "not a valid OCI image layout", why);
	}
	int rc = inspect_oci("layout:", path, files);
	builder_oci_files_free(files);
	free(files);
	return rc;
}

/* The file's bytes when it is a tar archive, else nothing. An archive is
 * read whole, up to what an OCI image may hold (and its tar headers). */
static int read_if_archive(const char *path, struct builder_buf *b)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* made a FIFO since the stat */
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char chunk[65536];
	size_t n;
	if (!f)
		return 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		builder_buf_add(b, chunk, n);
		if (b->len >= 512 && !builder_tar_is(b->data, b->len))
			break;
		if (b->len > BUILDER_OCI_BYTES_MAX + (64u << 20))
			builder_die(INSPECT_INVALID, path, "not a valid OCI archive",
				    "larger than hut inspect reads");
	}
	fclose(f);
	return builder_tar_is(b->data, b->len);
}

/* `hut inspect --syscalls IMAGE`: the report of syscall_report.c. */
static int inspect_syscalls(const char *image)
{
	struct stat st;
	if (stat(image, &st) != 0)
		builder_die(INSPECT_MISSING, image, "image not found", NULL);
	if (!S_ISREG(st.st_mode))
		builder_die(INSPECT_INVALID, image, "--syscalls takes an image file",
			    hut_file_kind(&st));
	struct builder_syscall_report *r = builder_xmalloc(sizeof *r);
	char why[256];
	if (builder_syscall_report(image, r, why, sizeof why) != 0)
		builder_die(INSPECT_INVALID, image, "cannot list its syscalls", why);
	printf("%-10s%s\n", "file:", image);
	builder_syscall_report_print(r);
	builder_syscall_report_free(r);
	free(r);
	return 0;
}

int builder_cmd_inspect(int argc, char **argv)
{
	const char *image = NULL;
	int syscalls = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			inspect_help();
			return 0;
		}
		if (!strcmp(argv[i], "--syscalls")) {
			syscalls = 1;
			continue;
		}
		if (argv[i][0] == '-')
			builder_usage_error(argv[i], "unknown option", INSPECT_HELP);
		if (image)
			builder_usage_error(argv[i], "one image at a time", INSPECT_HELP);
		image = argv[i];
	}
	if (!image)
		builder_usage_error("inspect", "no image given", INSPECT_HELP);
	if (syscalls)
		return inspect_syscalls(image);
	struct stat st;
	if (stat(image, &st) == 0 && S_ISDIR(st.st_mode))
		return inspect_oci_layout(image);
	/* Read nothing that is not a file: a FIFO would block the read. */
	if (stat(image, &st) == 0 && !S_ISREG(st.st_mode))
		builder_die(INSPECT_INVALID, image, "not an image, an OCI archive or a layout",
			    hut_file_kind(&st));
	struct builder_buf b = {0};
	if (read_if_archive(image, &b))
		return inspect_oci_archive(image, &b);
	struct source s = {image, NULL, 0};
	return inspect(&s);
}
