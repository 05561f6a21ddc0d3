/*
 * builder: the `hut` command (build, inspect, run) and its `hut-cc` face.
 * Declarations shared by the builder's modules, one concern per file.
 */
#ifndef HUT_BUILDER_H
#define HUT_BUILDER_H

#include <hut/abi.h>
#include <hut/version.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUILDER_STR_(x) #x
#define BUILDER_STR(x) BUILDER_STR_(x)

/* Exit status for a wrong command line, as most Unix tools use. */
#define BUILDER_EXIT_USAGE 2

/* --- diag.c: messages and allocation ------------------------------------ */

/* "hut" or "hut-cc": the prefix of every message. */
extern const char *builder_prog;

/* Prints "<prog>: <subject>: <what> (<why>)"; why may be NULL. */
void builder_error(const char *subject, const char *what, const char *why);
/* builder_error, then exit(status); temporary files go with it (atexit). */
__attribute__((noreturn)) void builder_die(int status, const char *subject, const char *what,
					   const char *why);
/* diag.c: writes the reason into why (for functions that report failure
 * with -1 and a why buffer); returns -1. */
__attribute__((format(printf, 3, 4))) int builder_why(char *why, size_t why_len, const char *fmt,
						      ...);
/* reference.c: NULL when ref is a valid image reference, else why not. */
const char *builder_ref_check(const char *ref);
/* input.c: dies (status 1, one line) when path exists and is not a regular
 * file (a FIFO would block gcc). */
void builder_check_input(const char *path);
/* A usage error: one line naming the help to read, exit 2. */
__attribute__((noreturn)) void builder_usage_error(const char *subject, const char *what,
						   const char *help);

void *builder_xmalloc(size_t size);
char *builder_xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *builder_xasprintf(const char *fmt, ...);

/* --- args.c: growable NULL-terminated argument vectors ------------------- */

struct builder_args {
	const char **v; /* always NULL-terminated once anything was added */
	size_t n, cap;
};

void builder_args_add(struct builder_args *a, const char *s);
void builder_args_add_all(struct builder_args *a, const struct builder_args *b);
void builder_args_free(struct builder_args *a); /* frees the vector, not the strings */

/* --- run.c: running the toolchain ---------------------------------------- */

/* Print each compile and link command before running it (`hut build -v`,
 * HUT_VERBOSE=1); builder_capture's queries stay quiet. */
extern int builder_verbose;

/* Runs cmd, waits. Returns its exit status, or -1 (and says why) if it
 * could not start or was killed. The child's output goes to ours. */
int builder_run(const struct builder_args *cmd);
/* Runs cmd and returns its stdout with trailing newlines cut, or NULL. */
char *builder_capture(const struct builder_args *cmd);
/* Replaces this process with cmd (searched in PATH); dies if that fails. */
__attribute__((noreturn)) void builder_exec(const struct builder_args *cmd, int fail_status);

/* --- toolchain.c: where gcc, musl and the hut runtime live --------------- */

/* The compiler driver: gcc, the one toolchain hut is tested with. */
#define BUILDER_GCC "gcc"
/* binutils' strip, for -s (strip.c). */
#define BUILDER_STRIP "strip"
/* The headers of the runtime's musl (RUNTIME/musl/include). */
const char *builder_musl_incdir(void);
/* The flags that make gcc compile against musl instead of glibc. */
void builder_musl_cflags(struct builder_args *a);
/* Directory of the hut executable (bin/), where hut-monitor also lives. */
const char *builder_bindir(void);

struct builder_link_files {
	const char *crt1, *crti, *crtbegin, *crtend, *crtn; /* start-up objects */
	const char *libc, *libgcc, *libgcc_eh;		    /* libgcc_eh may be NULL */
	const char *libhut, *libhut_net, *ldscript, *specs; /* the hut runtime */
	const char *runtime_dir;			    /* where they are */
	const char *musl_libdir;			    /* for -lm, -lpthread, ... */
};
/* Finds every file a link needs; dies naming the first one missing. */
void builder_link_files(struct builder_link_files *f);

/* --- workdir.c: a private temporary directory, always removed ----------- */

/* A fresh path "<tmpdir>/<n>-<base of src><ext>" for an intermediate file.
 * The directory is created on first use and removed at exit or on a fatal
 * signal, with everything registered in it. */
char *builder_temp_file(const char *src, const char *ext);

/* --- flags.c: sorting gcc options between compile and link -------------- */

enum builder_flag_use {
	BUILDER_FLAG_COMPILE = 1, /* preprocessor, language, warnings */
	BUILDER_FLAG_LINK = 2,	  /* -l, -L, -Wl, ... */
	BUILDER_FLAG_BOTH = 3,	  /* -O, -g, -f, -m and anything unknown */
	BUILDER_FLAG_INPUT = 4,	  /* not an option: a file */
};

/* Classifies argv[i]; *count is how many words it spans (1, or 2 for an
 * option with a separate value such as "-I dir"). */
enum builder_flag_use builder_flag_classify(char **argv, int argc, int i, int *count);
/* Why gcc option opt cannot build a hut image, or NULL if it can. */
const char *builder_flag_refused(const char *opt);
/* A link word whose place among the inputs matters (-lNAME, -Wl,--start-group,
 * -Wl,--whole-archive...): hut-cc keeps it there, in order. */
int builder_flag_ordered(const char *opt);

/* --- strip.c: -s ----------------------------------------------------------- */

/* Takes the requests to strip out of the link flags (-s, -Wl,-s,
 * -Wl,--strip-all, -Xlinker -s): the link must keep the symbols the
 * manifest is written from. Returns 1 if any asked for it. */
int builder_take_strip_flags(struct builder_args *ldflags);
/* Strips the finished image as ld -s would, then checks the monitor's
 * reader still accepts it; dies (removing it) otherwise. */
void builder_strip_image(const char *path);

/* --- libs.c, glibc.c: -l, and what may be linked in ------------------------ */

/* Replaces each -lNAME, -l NAME and -l:FILE in ldflags with the archive's
 * path, looked for in musl's lib dir, hut's runtime dir and the -L dirs
 * only, and checks it (builder_check_musl). Dies in one line, before the
 * link, naming the library, if it is not there, or is only in gcc's or
 * glibc's directories. */
/* Each -lNAME (or "-l NAME") of words becomes the archive's path, looked
 * for in musl's and the runtime's directories, then dirs_from's -L. */
void builder_resolve_libs(struct builder_args *words, const struct builder_args *dirs_from,
			  const struct builder_link_files *f);
/* Dies in one line naming what (-lNAME, or the file) if the object or
 * archive at path refers to symbols only glibc has (built against glibc's
 * headers: __*_chk, __isoc99_*, NAME@GLIBC_*). */
void builder_check_musl(const char *what, const char *path);

/* --- size.c: memory sizes ------------------------------------------------ */

/* Parses a --mem SIZE with the image format's parser (image/size.h) and checks
 * it fits guest RAM. 0, or -1 with *why. */
int builder_mem_parse(const char *s, uint64_t *bytes, const char **why);
/* "64 MiB" / "65540 KiB" / "12345 bytes": the largest exact unit. */
void builder_size_format(uint64_t bytes, char *buf, size_t len);

/* --- files.c, etc.c: files packed into the image ------------------------- */

struct builder_files;
/* An empty tree (the root); etc.c's defaults go in first. */
struct builder_files *builder_files_new(void);
/* DIR's contents at the absolute guest path (--files); dies on error. */
void builder_files_add_dir(struct builder_files *t, const char *host, const char *guest);
/* One host file at guest path dest (--file). */
void builder_files_add_file(struct builder_files *t, const char *src, const char *dest);
/* Bytes at guest path (made with its directories); a default gives way. */
void builder_files_add_data(struct builder_files *t, const char *guest, uint32_t mode,
			    const char *data, uint64_t size, int is_default);
/* Writes the packed blob (the format in abi.h) to path. */
void builder_files_write(struct builder_files *t, const char *path);
/* Writes the packed blob and an assembler file that links it in; returns
 * the assembler file's path (temporary). */
const char *builder_files_source(struct builder_files *t, const char *image);
/* etc.c: adds /etc/passwd, group, hosts and localtime as defaults; the
 * default /etc/localtime, a TZif file for UTC. */
void builder_etc_defaults(struct builder_files *t);
const unsigned char *builder_utc_tzif(size_t *size);

/* --- syscall_report.c, syscall_table.c: the syscalls an image can make ---- */

/* One row of the libos's syscall table (libos/sys/syscall.c), as
 * scripts/syscall-table.sh copies it into the builder at make time. */
struct builder_syscall_row {
	long nr;
	const char *handler; /* hut_sys_NAME */
	int noop;	     /* HUT_NOOP(...): accepted, nothing changes */
};
extern const struct builder_syscall_row builder_syscall_rows[];
extern const size_t builder_syscall_rows_count;
extern const unsigned builder_syscall_table_size; /* the libos's TABLE_SIZE */

#define BUILDER_SYSCALLS_MAX 1024 /* Linux x86-64 numbers below this */
/* The section `hut build` records an image's report in (not loaded), so a
 * stripped image still has it. */
#define BUILDER_SYSCALL_LIST ".hut.syscall.list"

struct builder_syscall_report {
	/* For each number the image can make, where from ("f", "g (through
	 * syscall)"...); an empty vector (n == 0) when it cannot. */
	struct builder_args from[BUILDER_SYSCALLS_MAX];
	/* Why the image may make a syscall whose number is not known here
	 * (a computed number, a stripped image): then any of them. */
	struct builder_args any;
	size_t count; /* numbers with a site */
	int recorded; /* read from BUILDER_SYSCALL_LIST (the image has no symbols) */
};

/* The report of the image at path, from its .hut.syscalls records and its
 * code. 0, or -1 with why (no objdump, not an ELF file). */
int builder_syscall_report(const char *path, struct builder_syscall_report *r, char *why,
			   size_t why_len);
void builder_syscall_report_free(struct builder_syscall_report *r);

enum builder_served { BUILDER_UNSERVED, BUILDER_SERVED, BUILDER_NOOP };
enum builder_served builder_syscall_served(long nr);
/* The Linux name of nr, or NULL. */
const char *builder_syscall_name(long nr);
/* Prints the report (hut inspect --syscalls). */
void builder_syscall_report_print(const struct builder_syscall_report *r);
/* One warning line on stderr for each syscall the image can make that the
 * libos does not serve (hut build). */
void builder_syscall_warn(const struct builder_syscall_report *r, const char *image);
/* Writes a C file holding the table of the rows the report reaches, to be
 * linked in place of the libos's whole (weak) table; returns its path. */
const char *builder_syscall_table_source(const struct builder_syscall_report *r, const char *image,
					 int every);

/* --- build.c: compile, link, finish -------------------------------------- */

struct builder_job {
	const char *out;	     /* the image to write */
	const char *name;	     /* manifest service name */
	uint64_t mem;		     /* manifest default memory */
	int needs_net;		     /* --net: the manifest declares a network device */
	struct builder_args inputs;  /* .c/.S/.s sources and .o/.a, in order */
	struct builder_args cflags;  /* for compiling sources (after the musl flags) */
	struct builder_args ldflags; /* for the link, after the objects (-s: strip.c) */
	struct builder_files *files; /* packed files; NULL: the defaults only */
};

/* Compiles, links and writes the manifest. Returns 0, or dies. */
int builder_build(struct builder_job *job);
/* `hut build` (build_cmd.c) */
int builder_cmd_build(int argc, char **argv);

/* --- name.c: the manifest's service name --------------------------------- */

/* The service name the manifest gets for an output file: its base name
 * without ".hut", cut to fit HUT_NAME_MAX. */
char *builder_default_name(const char *out);
/* Checks a service name fits the manifest. 0, or -1 with *why. */
int builder_name_check(const char *name, const char **why);

/* --- build_cmd.c, inspect.c, cc.c, run_cmd.c: the commands --------------- */

int builder_cmd_inspect(int argc, char **argv);
int builder_cmd_cc(int argc, char **argv); /* argv[0] is "hut-cc" or "cc" */
int builder_cmd_run(int argc, char **argv);
int builder_cmd_bench_exec(int argc, char **argv); /* execs hut-bench (bench/harness/) */

/* --- output.c: outputs that appear whole or not at all ------------------ */

/* Checks path does not exist and makes a temporary file or folder beside
 * it. Returns the temporary's path, to be written, or NULL with why. What
 * is not committed when the program exits is removed then. */
const char *builder_output_begin(const char *path, int is_dir, char *why, size_t why_len);
/* Renames every begun output to its path, none replacing anything. 0, or
 * -1 with *failed and why; then none is in place (the rest go at exit). */
int builder_output_commit(const char **failed, char *why, size_t why_len);

/* --- pack.c: an OCI bundle holding one image ----------------------------- */

/* Writes dir/config.json (OCI runtime spec 1.0: runs /IMAGE_BASENAME with
 * args, read-only root, own pid/mount/ipc/uts/network namespaces) and
 * dir/rootfs/IMAGE_BASENAME (a copy of image, mode 0755). dir may exist.
 * Returns 0, or -1 with *why set. */
int builder_pack_bundle(const char *dir, const char *image, int argc, char *const *args, char *why,
			size_t why_len);
/* `hut pack` */
int builder_cmd_pack(int argc, char **argv);

/* --- pack_snapshot.c: hut pack --snapshot -------------------------------- */

/* The bundle's process environment and host name (pack.c's config.json),
 * which hut-oci gives the guest: a snapshot is made with the same. */
#define BUILDER_BUNDLE_ENV "PATH=/"
#define BUILDER_BUNDLE_HOSTNAME "hut"
#define BUILDER_SNAPSHOT_SUFFIX ".snapshot"

/* What the guest is given, as hut-oci will give it for the bundle. */
struct builder_snapshot_request {
	const char *image;
	int argc;
	char *const *args;
	int envc;
	char *const *env;
	const char *hostname; /* NULL: none */
	bool net;	      /* the image has a network device: --net none */
	unsigned timeout_s;   /* to reach the ready point */
};
/* Runs hut-monitor --snapshot out. 0, or -1 with why (the monitor's reason). */
int builder_pack_snapshot(const struct builder_snapshot_request *r, const char *out, char *why,
			  size_t why_len);
/* The sparse snapshot at path in packed form (include/hut/snappack.h),
 * appended to out, for an OCI image's layer. 0, or -1 with why. */
struct builder_buf;
int builder_snapshot_packed(const char *path, struct builder_buf *out, char *why, size_t why_len);

/* --- tar.c: ustar archives in memory ------------------------------------- */

struct builder_buf {
	char *data;
	size_t len, cap;
};
void builder_buf_add(struct builder_buf *b, const void *data, size_t len);
/* A regular file (data may not be NULL) or, with data NULL, a directory. */
void builder_tar_add(struct builder_buf *b, const char *name, const void *data, size_t len,
		     unsigned mode);
void builder_tar_end(struct builder_buf *b);
bool builder_tar_is(const void *data, size_t len);
/* Calls fn for each regular file (name NUL-terminated, at most 100 bytes)
 * until the end blocks. Returns 0, what fn returned when not 0, or -1 with
 * why for an archive it cannot read whole (a header whose checksum is
 * wrong, a size past the end, an extended header it does not follow). */
int builder_tar_each(const void *data, size_t len,
		     int (*fn)(const char *name, const void *data, size_t len, void *ctx),
		     void *ctx, char *why, size_t why_len);

/* --- sha256.c ------------------------------------------------------------- */

#define BUILDER_DIGEST_LEN 72 /* "sha256:" + 64 hex digits + NUL */
void builder_sha256(const void *data, size_t len, char out[BUILDER_DIGEST_LEN]);

/* --- oci_image.c: hut pack --oci-archive / --oci-layout ------------------- */

#define BUILDER_OCI_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define BUILDER_OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BUILDER_OCI_MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define BUILDER_OCI_MT_LAYER "application/vnd.oci.image.layer.v1.tar"
#define BUILDER_OCI_LAYOUT_VERSION "1.0.0"

/* An OCI image (image spec 1.0) whose one layer holds the image at
 * /BASENAME (and snapshot, when not NULL, at /BASENAME.snapshot) and whose
 * config runs it with args. ref names it ("localhost/NAME:TAG"). Writes a
 * layout folder (dir) or an archive (a tar of that folder). 0, or -1 with
 * why. */
int builder_oci_write(const char *image, const char *ref, int argc, char *const *args,
		      const struct builder_buf *snapshot, const char *layout_dir,
		      const char *archive, char *why, size_t why_len);

/* --- oci_files.c: the files of an image layout, from a folder or a tar ---- */

/* What hut inspect reads at most: hostile input costs bounded memory. */
#define BUILDER_OCI_FILES_MAX 258	   /* oci-layout, index.json, 256 blobs */
#define BUILDER_OCI_BYTES_MAX (1ull << 30) /* all of them together */
#define BUILDER_OCI_JSON_MAX (4u << 20)	   /* one JSON document */

struct builder_oci_file {
	char name[80]; /* "oci-layout", "index.json" or "blobs/sha256/<64 hex>" */
	const char *data;
	size_t len;
	char *owned; /* data, when it was read from a folder */
};

struct builder_oci_files {
	struct builder_oci_file v[BUILDER_OCI_FILES_MAX];
	size_t n;
	unsigned long long bytes;
};

/* The layout's files in an archive (data stays the caller's), or in a
 * folder: each a regular file, no symlink followed, nothing in blobs/
 * but sha256/<64 hex digits>. 0, or -1 with why. */
int builder_oci_files_of_archive(struct builder_oci_files *f, const void *data, size_t len,
				 char *why, size_t why_len);
int builder_oci_files_of_layout(struct builder_oci_files *f, const char *dir, char *why,
				size_t why_len);
void builder_oci_files_free(struct builder_oci_files *f);

/* --- oci_read.c: the hut image in an OCI image, checked ------------------- */

struct builder_oci_image {
	char ref[256];			   /* from the index's annotations */
	char manifest[BUILDER_DIGEST_LEN]; /* the manifest's digest */
	size_t blobs;			   /* how many, each digest checked */
	char *command;			   /* Entrypoint + Cmd, a JSON array */
	char name[101];			   /* the layer's one file */
	const void *image;		   /* its bytes, inside the files */
	size_t image_len;
	const void *snapshot; /* NAME.snapshot beside it (packed), or NULL */
	size_t snapshot_len;
};

/* Follows index.json to its one manifest, to the config and the one
 * uncompressed layer, checking every descriptor's media type, size and
 * digest against its blob, every blob's digest against its name, and that
 * the layer holds exactly one file. 0, or -1 with why. */
int builder_oci_read(const struct builder_oci_files *f, struct builder_oci_image *img, char *why,
		     size_t why_len);
void builder_oci_image_free(struct builder_oci_image *img);

#endif
