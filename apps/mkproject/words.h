/* Splitting text into lower-case words. */
#ifndef WORDS_H
#define WORDS_H

#include "table.h"

/* Adds every word of text to t; returns the number of words, or -1. */
long words_count(struct table *t, const char *text);

#endif
