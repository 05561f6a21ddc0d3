/*
 * Argument vectors for the commands the builder runs. They hold borrowed
 * strings (argv, or strings that live until exit): a build is one short
 * process, so nothing here frees what it points to.
 */
#include "builder.h"

#include <stdlib.h>

void builder_args_add(struct builder_args *a, const char *s)
{
	/* One spare slot keeps the vector NULL-terminated for exec. */
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		const char **v = realloc(a->v, cap * sizeof *v);
		if (!v)
			builder_die(1, "memory", "cannot allocate", "out of memory");
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void builder_args_add_all(struct builder_args *a, const struct builder_args *b)
{
	for (size_t i = 0; i < b->n; i++)
		builder_args_add(a, b->v[i]);
}

void builder_args_free(struct builder_args *a)
{
	free(a->v);
	*a = (struct builder_args){0};
}
