/*
 * File-system events: what happens to a name or a file, told to whoever
 * listens (inotify, fs/inotify.c, registers; the code that changes the
 * tree names no listener). Events are by canonical path: the VFS is
 * path-based, so the calls that change the tree (modifycalls, opencalls,
 * attrcalls, socknode) tell the path they changed, and the fd layer tells
 * reads, writes and closes of a file through its note hook, with the path
 * the file was opened by. With no listener nothing is gathered: a test of
 * one pointer.
 */
#include "vfs.h"

static struct hut_hooks listeners;
static uint32_t next_cookie;

int hut_fs_noting(void)
{
	return listeners.count != 0;
}

static void path_note(struct hut_file *f, uint32_t mask)
{
	if (f->kind & HUT_KIND_DIR)
		mask |= HUT_NOTE_ISDIR;
	hut_fs_note(f->path, f->path_len, mask);
}

/* Reads, writes and changes of a file opened by path (fd/iocalls.c...).
 * A FIFO's (no mount: its ends are the pipe's) are not events on Linux. */
static void file_note(struct hut_file *f, uint32_t mask)
{
	if (f->path && f->mount)
		path_note(f, mask);
}

/* Its last close: any file opened by path, a FIFO's end too. */
static void close_note(void *arg)
{
	struct hut_file *f = arg;
	if (!f->path || (f->kind & HUT_KIND_PATH))
		return;
	path_note(f, (f->flags & O_ACCMODE) == O_RDONLY ? HUT_NOTE_CLOSE_NOWRITE
							: HUT_NOTE_CLOSE_WRITE);
}

void hut_fs_on_note(hut_hook_fn listener)
{
	hut_hooks_add(&listeners, listener);
	hut_file_note_hook = file_note;
	hut_file_on_release(close_note);
}

void hut_fs_note_event(const struct hut_fs_event *e)
{
	hut_hooks_run(&listeners, (void *)e);
}

void hut_fs_note(const char *path, size_t len, uint32_t mask)
{
	if (!hut_fs_noting())
		return;
	struct hut_fs_event e = {path, len, mask, 0, NULL, 0, 0, 0};
	hut_fs_note_event(&e);
}

/* An event about the object st describes, whichever name it is heard by. */
static void note_object(const char *path, size_t len, uint32_t mask, const struct stat *st)
{
	struct hut_fs_event e = {path, len, mask, 0, NULL, 0, st->st_dev, st->st_ino};
	hut_fs_note_event(&e);
}

/* A name is noted with the type its object has now (IN_ISDIR). */
void hut_fs_note_name(const struct hut_path *p, uint32_t mask)
{
	struct stat st;
	if (!hut_fs_noting())
		return;
	if (p->mount->ops->lstat(p->mount, p->rel, &st) == 0 && S_ISDIR(st.st_mode))
		mask |= HUT_NOTE_ISDIR;
	hut_fs_note(p->canon, p->len, mask);
}

static uint32_t isdir(const struct stat *st)
{
	return S_ISDIR(st->st_mode) ? HUT_NOTE_ISDIR : 0;
}

/* As Linux orders them: the link count (a file), the object's end when its
 * last name goes (an open file's would come at its last close on Linux;
 * here it comes now), then the name's removal for its directory. */
void hut_fs_note_remove(const char *path, size_t len, const struct stat *st)
{
	if (!hut_fs_noting())
		return;
	if (!S_ISDIR(st->st_mode))
		note_object(path, len, HUT_NOTE_ATTRIB | HUT_NOTE_SELF_ONLY, st);
	if (S_ISDIR(st->st_mode) || st->st_nlink <= 1)
		note_object(path, len, HUT_NOTE_DELETE_SELF, st);
	hut_fs_note(path, len, HUT_NOTE_DELETE | isdir(st));
}

/* A move: MOVED_FROM and MOVED_TO with one cookie, the replaced object's
 * end, then MOVE_SELF, which carries the new path (watches follow it). */
void hut_fs_note_rename(const struct hut_path *old, const struct hut_path *new,
			const struct stat *moved, int replaced, const struct stat *victim)
{
	if (!hut_fs_noting())
		return;
	if (++next_cookie == 0)
		next_cookie = 1;
	struct hut_fs_event e = {old->canon,  old->len, HUT_NOTE_MOVED_FROM | isdir(moved),
				 next_cookie, NULL,	0,
				 0,	      0};
	hut_fs_note_event(&e);
	e.path = new->canon;
	e.len = new->len;
	e.mask = HUT_NOTE_MOVED_TO | isdir(moved);
	hut_fs_note_event(&e);
	if (replaced) {
		if (!S_ISDIR(victim->st_mode))
			note_object(new->canon, new->len, HUT_NOTE_ATTRIB | HUT_NOTE_SELF_ONLY,
				    victim);
		if (S_ISDIR(victim->st_mode) || victim->st_nlink <= 1)
			note_object(new->canon, new->len, HUT_NOTE_DELETE_SELF, victim);
	}
	e = (struct hut_fs_event){old->canon, old->len, HUT_NOTE_MOVE_SELF, 0, new->canon, new->len,
				  0,	      0};
	hut_fs_note_event(&e);
}
