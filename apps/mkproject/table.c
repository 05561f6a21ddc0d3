#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

void table_init(struct table *t)
{
	t->slots = NULL;
	t->capacity = 0;
	t->used = 0;
}

static int grow(struct table *t)
{
	size_t capacity = t->capacity ? t->capacity * 2 : 16;
	struct entry *slots = calloc(capacity, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < t->capacity; i++) {
		struct entry *e = &t->slots[i];
		if (!e->word)
			continue;
		size_t j = hash(e->word, strlen(e->word)) & (capacity - 1);
		while (slots[j].word)
			j = (j + 1) & (capacity - 1);
		slots[j] = *e;
	}
	free(t->slots);
	t->slots = slots;
	t->capacity = capacity;
	return 0;
}

int table_add(struct table *t, const char *word, size_t len)
{
	if (2 * (t->used + 1) > t->capacity && grow(t) < 0)
		return -1;
	size_t j = hash(word, len) & (t->capacity - 1);
	for (; t->slots[j].word; j = (j + 1) & (t->capacity - 1)) {
		struct entry *e = &t->slots[j];
		if (strlen(e->word) == len && memcmp(e->word, word, len) == 0) {
			e->count++;
			return 0;
		}
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, word, len);
	copy[len] = '\0';
	t->slots[j] = (struct entry){copy, 1};
	t->used++;
	return 0;
}

static int by_count_then_word(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->word, y->word);
}

size_t table_sort(struct table *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->capacity; i++)
		if (t->slots[i].word)
			t->slots[n++] = t->slots[i];
	for (size_t i = n; i < t->capacity; i++)
		t->slots[i] = (struct entry){NULL, 0};
	qsort(t->slots, n, sizeof *t->slots, by_count_then_word);
	return n;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->capacity; i++)
		free(t->slots[i].word);
	free(t->slots);
	table_init(t);
}
