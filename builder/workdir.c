/*
 * A private temporary directory for intermediate objects. It is created on
 * first use and removed at exit, including after a fatal error (exit runs
 * the atexit handler) or on SIGINT/TERM/HUP/PIPE (the handler below), so
 * a failed or interrupted build leaves nothing behind (SIGKILL aside).
 *
 * The signal handler may only use async-signal-safe calls (unlink, rmdir),
 * so the paths are recorded as they are handed out, with signals blocked
 * while the list changes.
 */
#include "builder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir;
static char **files;
static size_t nfiles, capfiles;

static void remove_all(void)
{
	for (size_t i = 0; i < nfiles; i++)
		unlink(files[i]);
	if (dir)
		rmdir(dir);
}

/* At exit there is time to sweep files the compiler added on its own
 * (a user's -MD leaves .d files next to our objects). */
static void remove_at_exit(void)
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	remove_all();
}

static void on_signal(int sig)
{
	remove_all();
	signal(sig, SIG_DFL);
	raise(sig); /* die of the same signal, so make sees an interrupted job */
}

/* SIGPIPE too: `hut build -v | head` must not leave a directory behind. */
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

static void block_signals(int how)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(how, &set, NULL);
}

static void create_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *templ = builder_xasprintf("%s/hut-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(templ))
		builder_die(1, templ, "cannot create a temporary directory", strerror(errno));
	atexit(remove_at_exit);
	struct sigaction sa = {.sa_handler = on_signal};
	for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
		sigaction(fatal_signals[i], &sa, NULL);
	dir = templ;
}

static void remember(char *path)
{
	if (nfiles == capfiles) {
		size_t cap = capfiles ? capfiles * 2 : 16;
		char **v = builder_xmalloc(cap * sizeof *v);
		if (nfiles)
			memcpy(v, files, nfiles * sizeof *v);
		/* Swap in the new list whole; the handler never sees a half copy. */
		char **old = files;
		files = v;
		capfiles = cap;
		free(old);
	}
	files[nfiles++] = path;
}

/* "dir/hello" from "src/hello.c": keeps the source's name for readable
 * -v output and gcc messages; the counter keeps a/x.c and b/x.c apart. */
char *builder_temp_file(const char *src, const char *ext)
{
	block_signals(SIG_BLOCK);
	if (!dir)
		create_dir();
	char *copy = builder_xstrdup(src);
	char *base = basename(copy);
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	char *path = builder_xasprintf("%s/%zu-%s%s", dir, nfiles, base, ext);
	free(copy);
	remember(path);
	block_signals(SIG_UNBLOCK);
	return path;
}
