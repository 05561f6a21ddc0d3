/*
 * Errors as runc reports them (warnings alike, at level warning; and, in
 * the log only, what hut-oci did, at level info): one line on stderr, and, with
 * --log, the same message appended to the log file, as a JSON object
 * {"level":"error","msg":...,"time":...} under --log-format json (the
 * containerd shim reads the last such line to say why a create failed),
 * else as logrus's text line. Exit status 1, as runc's.
 */
#include "oci.h"

#include "json_string.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void log_line(const char *level, const char *msg)
{
	FILE *f = oci_g.log ? fopen(oci_g.log, "a") : NULL;
	if (!f)
		return;
	char when[40];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (oci_g.log_json) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":", level);
		hut_json_string(f, msg);
		fprintf(f, ",\"time\":\"%s\"}\n", when);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=", when, level);
		hut_json_string(f, msg);
		fputc('\n', f);
	}
	fclose(f);
}

static void format(char *msg, size_t size, const char *id, const char *fmt, va_list ap)
{
	char what[1024];
	vsnprintf(what, sizeof what, fmt, ap);
	if (id)
		snprintf(msg, size, "%s: %s", id, what);
	else
		snprintf(msg, size, "%s", what);
}

static void report(const char *id, const char *fmt, va_list ap)
{
	char msg[1200];
	format(msg, sizeof msg, id, fmt, ap);
	fprintf(stderr, "hut-oci: %s\n", msg);
	log_line("error", msg);
}

/* A warning goes to --log only, where there is one: stderr of a create
 * that succeeds is the container's business (podman shows it). */
void oci_log_warning(const char *id, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	format(msg, sizeof msg, id, fmt, ap);
	va_end(ap);
	if (oci_g.log)
		log_line("warning", msg);
	else
		fprintf(stderr, "hut-oci: warning: %s\n", msg);
}

/* What happened, for whoever keeps hut-oci's log: nowhere without one. */
void oci_log_info(const char *id, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	if (!oci_g.log)
		return;
	va_start(ap, fmt);
	format(msg, sizeof msg, id, fmt, ap);
	va_end(ap);
	log_line("info", msg);
}

void oci_log_error(const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(id, fmt, ap);
	va_end(ap);
}

void oci_die(const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(id, fmt, ap);
	va_end(ap);
	exit(1);
}
