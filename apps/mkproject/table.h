/* A string -> count hash table with open addressing. */
#ifndef TABLE_H
#define TABLE_H

#include <stddef.h>

struct entry {
	char *word;
	unsigned count;
};

struct table {
	struct entry *slots;
	size_t capacity; /* a power of two */
	size_t used;
};

void table_init(struct table *t);
int table_add(struct table *t, const char *word, size_t len);
/* Moves the entries to the front of t->slots, most frequent first; returns how many. */
size_t table_sort(struct table *t);
void table_free(struct table *t);

#endif
