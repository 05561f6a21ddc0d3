#include "stats.h"

#include <math.h>
#include <pthread.h>

/* Guarded as a threaded program would be: -pthread must keep working. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void stats_add(struct stats *s, size_t value)
{
	pthread_mutex_lock(&lock);
	s->count++;
	s->sum += (double)value;
	s->sum_sq += (double)value * (double)value;
	if (value > s->longest)
		s->longest = value;
	pthread_mutex_unlock(&lock);
}

double stats_mean(const struct stats *s)
{
	return s->count ? s->sum / (double)s->count : 0.0;
}

double stats_stddev(const struct stats *s)
{
	if (s->count == 0)
		return 0.0;
	double mean = stats_mean(s);
	return sqrt(s->sum_sq / (double)s->count - mean * mean);
}
