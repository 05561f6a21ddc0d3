/*
 * mkproject: counts words. With arguments, counts the words in them;
 * without, counts a built-in text. Prints the five most frequent.
 */
#include <stdio.h>

#include "table.h"
#include "words.h"

static const char builtin_text[] =
	"A hut is a one-room house. It keeps a house's own walls, but it is built up "
	"like an apartment: from the service and only the pieces the service uses. "
	"The hut is small, the hut boots fast, and the hut is the service.";

int main(int argc, char **argv)
{
	struct table t;
	table_init(&t);

	long total = 0;
	for (int i = 1; i < argc || (argc == 1 && i == 1); i++) {
		long n = words_count(&t, argc > 1 ? argv[i] : builtin_text);
		if (n < 0) {
			fputs("mkproject: out of memory\n", stderr);
			return 1;
		}
		total += n;
	}

	size_t distinct = table_sort(&t);
	printf("%ld words, %zu distinct\n", total, distinct);
	for (size_t i = 0; i < distinct && i < 5; i++)
		printf("%3u %s\n", t.slots[i].count, t.slots[i].word);
	table_free(&t);
	return 0;
}
