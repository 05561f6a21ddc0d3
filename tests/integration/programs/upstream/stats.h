/* Running statistics over word lengths. */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

struct stats {
	size_t count;
	double sum, sum_sq;
	size_t longest;
};

void stats_add(struct stats *s, size_t value);
double stats_mean(const struct stats *s);
double stats_stddev(const struct stats *s);

#endif
