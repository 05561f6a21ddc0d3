#include "words.h"

#include <ctype.h>
#include <string.h>

#define WORD_MAX 64

long words_count(struct table *t, const char *text)
{
	long n = 0;
	const char *p = text;
	while (*p) {
		while (*p && !isalpha((unsigned char)*p))
			p++;
		char word[WORD_MAX];
		size_t len = 0;
		for (; isalpha((unsigned char)*p); p++)
			if (len < WORD_MAX)
				word[len++] = (char)tolower((unsigned char)*p);
		if (len == 0)
			continue;
		if (table_add(t, word, len) < 0)
			return -1;
		n++;
	}
	return n;
}
