/*
 * Hooks: how a layer reaches one above it without naming it. The upper
 * layer registers a function (once; again is harmless) and the lower one
 * runs every registered function when its event comes, in the order they
 * were registered.
 */
#include "base.h"

void hut_hooks_add(struct hut_hooks *h, hut_hook_fn fn)
{
	for (unsigned i = 0; i < h->count; i++)
		if (h->fn[i] == fn)
			return;
	if (h->count < HUT_HOOKS_MAX)
		h->fn[h->count++] = fn;
}

void hut_hooks_run(const struct hut_hooks *h, void *arg)
{
	for (unsigned i = 0; i < h->count; i++)
		h->fn[i](arg);
}
