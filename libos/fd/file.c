/*
 * Open file descriptions: made by each kind (hut_file_new), shared by fds
 * and mappings in flight (refs), gone with their last reference. What other
 * parts keep per description goes with it through the release hooks.
 */
#include "file.h"

static struct hut_hooks release_hooks;
void (*hut_file_news_hook)(struct hut_file *f, uint32_t what);
void (*hut_file_note_hook)(struct hut_file *f, uint32_t what);

void hut_file_on_release(hut_hook_fn hook)
{
	hut_hooks_add(&release_hooks, hook);
}

struct hut_file *hut_file_new(const struct hut_file_ops *ops, uint32_t flags, uint32_t kind)
{
	struct hut_file *f = hut_kalloc(sizeof *f);
	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->kind = kind;
	return f;
}

struct hut_file *hut_anon_file(const struct hut_file_ops *ops, uint32_t flags, void *priv,
			       size_t priv_size)
{
	struct hut_file *f = hut_file_new(ops, flags, 0);
	if (!f) {
		hut_kfree(priv, priv_size);
		return NULL;
	}
	f->priv = priv;
	return f;
}

long hut_anon_inode_stat(struct hut_file *f, struct stat *st)
{
	hut_memset(st, 0, sizeof *st);
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
	st->st_blksize = HUT_PAGE_SIZE;
	return 0;
}

void hut_file_ref(struct hut_file *f)
{
	f->refs++;
}

void hut_file_unref(struct hut_file *f)
{
	if (--f->refs > 0)
		return;
	hut_hooks_run(&release_hooks, f);
	if (f->ops->release)
		f->ops->release(f);
	hut_kfree(f->path, f->path_len + 1);
	hut_kfree(f, sizeof *f);
}

/* What f is ready for now: its poll op, or, for files without one (regular
 * files, directories), always ready, as Linux's DEFAULT_POLLMASK. */
uint32_t hut_file_poll(struct hut_file *f)
{
	if (f->ops->poll)
		return f->ops->poll(f);
	return HUT_POLLIN | HUT_POLLOUT | HUT_POLLRDNORM | HUT_POLLWRNORM;
}
