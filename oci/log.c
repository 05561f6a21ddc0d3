/*
 * Errors as runc reports them: one line on stderr, and, with --log, the
 * same message appended to the log file, as a JSON object
 * {"level":"error","msg":...,"time":...} under --log-format json (the
 * containerd shim reads the last such line to say why a create failed),
 * else as logrus's text line. Exit status 1, as runc's.
 */
#include "oci.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void log_line(const char *msg)
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
		fputs("{\"level\":\"error\",\"msg\":", f);
		oci_json_write_string(f, msg);
		fprintf(f, ",\"time\":\"%s\"}\n", when);
	} else {
		fprintf(f, "time=\"%s\" level=error msg=", when);
		oci_json_write_string(f, msg);
		fputc('\n', f);
	}
	fclose(f);
}

static void report(const char *id, const char *fmt, va_list ap)
{
	char what[1024], msg[1200];
	vsnprintf(what, sizeof what, fmt, ap);
	if (id)
		snprintf(msg, sizeof msg, "%s: %s", id, what);
	else
		snprintf(msg, sizeof msg, "%s", what);
	fprintf(stderr, "hut-oci: %s\n", msg);
	log_line(msg);
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
