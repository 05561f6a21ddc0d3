/*
 * fsops: file-system scenarios whose every result (a value, or -1 and the
 * errno's name) is printed, so that the same scenario run as a Linux
 * process and as an appliance must print the same lines: Linux is the
 * reference for each errno. Each scenario works in a directory given on
 * the command line and cleans up after itself.
 */
#ifndef FSOPS_H
#define FSOPS_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prints "what = value" or "what = -1 ENAME"; returns value. */
long check(const char *what, long value);
/* The same with a formatted description. */
long checkf(long value, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *errno_name(int e);
/* The optional third argument, or NULL. */
extern const char *scenario_arg;
/* dir + "/" + name, in a static buffer (two in turn). */
const char *at(const char *dir, const char *name);
/* Writes text to path (created or truncated). */
void put_file(const char *path, const char *text);
/* The content of path, or "(errno name)". */
const char *get_file(const char *path);

int scenario_io(const char *dir);
int scenario_tree(const char *dir);
int scenario_paths(const char *dir);
int scenario_fds(const char *dir);
int scenario_locks(const char *dir);
int scenario_mmap(const char *dir);
int scenario_attrs(const char *dir);
int scenario_ro(const char *dir);
int scenario_dev(const char *dir);
int scenario_fill(const char *dir);
int scenario_many(const char *dir);
int scenario_emfile(const char *dir);
int scenario_identity(const char *dir);
int scenario_escape(const char *dir);

#endif
