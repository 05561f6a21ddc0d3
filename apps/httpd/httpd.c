/*
 * httpd: a small static HTTP/1.1 server on plain POSIX sockets, so the same
 * source runs as a Linux process and as an appliance.
 *
 *   httpd [--port N] [--root DIR] [--verbose]
 *
 * One thread, one epoll set, non-blocking sockets. Each connection owns a
 * fixed request buffer (REQUEST_MAX) and one response buffer (headers and any
 * body made in memory, at most OUT_MAX), so a connection's memory is bounded
 * whatever the client sends. GET and HEAD of files under --root, keep-alive
 * (pipelined requests are answered in order), content types by extension, a
 * directory's index.html or else a listing, 400 for anything that does not
 * parse, 404, 405 for other methods. A path is never resolved above --root:
 * a ".." segment is refused. Small files go out with their headers in one
 * write; larger ones with sendfile (read and write where sendfile is missing).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_MAX 8192       /* a request head must fit: larger is answered 431 */
#define OUT_MAX (64 * 1024)    /* headers plus a body made in memory (listing, small file) */
#define INLINE_MAX (16 * 1024) /* files up to this size go out with their headers */
#define CONNS_MAX 1024
#define EVENTS_MAX 64
#define SENDFILE_CHUNK (1 << 20)
#define IDLE_SECONDS 30 /* a connection silent this long is closed */
#define DRAIN_SECONDS 2 /* how long a closing connection may keep sending us bytes */

static struct {
	int port;
	const char *root;
	int verbose;
} opt = {8080, ".", 0};

/* A connection reads a request head, then sends its response, then reads the
 * next one: it never reads while sending, which bounds what it buffers. */
struct conn {
	struct conn *prev, *next; /* all connections, for the idle sweep */
	int fd;
	int sending;
	int close_after; /* Connection: close, HTTP/1.0, a body we do not read, an error */
	int draining;	 /* the response is out: reading and dropping until the client closes */
	time_t last_active;
	size_t in_len;	/* bytes of in[] received, not yet consumed */
	size_t out_len; /* bytes in out[] to send */
	size_t out_off; /* of which sent */
	size_t out_cap; /* out_printf's limit: OUT_MAX, less while a listing keeps room */
	int file;	/* the body's file (after out[]), or -1 */
	off_t file_off; /* next byte of it to send */
	off_t file_end;
	char in[REQUEST_MAX];
	char out[OUT_MAX];
};

static int epfd, listen_fd, conns, accepting = 1, use_sendfile = 1;
static struct conn *all_conns;

static time_t now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* --- the parsed request --------------------------------------------------- */

struct request {
	char *method;
	char *target;
	int minor; /* HTTP/1.<minor> */
	int keep_alive;
	int has_body; /* Content-Length > 0 or Transfer-Encoding: we do not read bodies */
};

static int is_token_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!is_token_char(*s))
			return 0;
	return 1;
}

/* next_line: cuts the line at *p (ending in LF or CRLF) and advances *p. */
static char *next_line(char **p)
{
	char *line = *p, *nl = strchr(line, '\n');
	if (!nl)
		return NULL;
	*p = nl + 1;
	if (nl > line && nl[-1] == '\r')
		nl--;
	*nl = 0;
	return line;
}

static int parse_request_line(char *line, struct request *r)
{
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp2 || strchr(sp2 + 1, ' '))
		return -1;
	*sp1 = *sp2 = 0;
	r->method = line;
	r->target = sp1 + 1;
	const char *v = sp2 + 1;
	if (!is_token(r->method) || r->target[0] != '/' || strncmp(v, "HTTP/1.", 7) || v[7] < '0' ||
	    v[7] > '9' || v[8])
		return -1;
	r->minor = v[7] - '0';
	r->keep_alive = r->minor >= 1;
	for (const char *t = r->target; *t; t++)
		if ((unsigned char)*t <= ' ' || *t == 0x7f)
			return -1;
	return 0;
}

static int parse_header(char *line, struct request *r)
{
	char *colon = strchr(line, ':');
	if (!colon)
		return -1;
	*colon = 0;
	if (!is_token(line))
		return -1;
	char *value = colon + 1;
	value += strspn(value, " \t");
	for (char *end = value + strlen(value); end > value && (end[-1] == ' ' || end[-1] == '\t');)
		*--end = 0;
	if (!strcasecmp(line, "Connection")) {
		if (!strcasecmp(value, "close"))
			r->keep_alive = 0;
		else if (!strcasecmp(value, "keep-alive"))
			r->keep_alive = 1;
	} else if (!strcasecmp(line, "Content-Length")) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(value, &end, 10);
		if (!*value || *end || errno)
			return -1;
		r->has_body |= n > 0;
	} else if (!strcasecmp(line, "Transfer-Encoding")) {
		r->has_body = 1;
	}
	return 0;
}

/* parse_request: the head (NUL-terminated, modified in place). */
static int parse_request(char *head, struct request *r)
{
	memset(r, 0, sizeof *r);
	char *p = head, *line;
	while (*p == '\r' || *p == '\n') /* stray line ends before a request are allowed */
		p++;
	if (!(line = next_line(&p)) || parse_request_line(line, r))
		return -1;
	while ((line = next_line(&p)) && *line)
		if (parse_header(line, r))
			return -1;
	return 0;
}

/* head_length: the length of a complete request head at the start of buf, or 0. */
static size_t head_length(const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* --- paths ---------------------------------------------------------------- */

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* url_path: the target's path, percent-decoded, without its query; refuses
 * NUL bytes and any ".." segment (nothing resolves above --root). */
static int url_path(const char *target, char *out, size_t size)
{
	size_t n = 0;
	for (const char *t = target; *t && *t != '?' && *t != '#'; t++) {
		int ch = (unsigned char)*t;
		if (ch == '%') {
			int hi = hex_value(t[1]), lo = hi < 0 ? -1 : hex_value(t[2]);
			if (lo < 0)
				return -1;
			ch = hi * 16 + lo;
			t += 2;
		}
		if (ch == 0 || n + 1 >= size)
			return -1;
		out[n++] = (char)ch;
	}
	out[n] = 0;
	for (const char *s = out; (s = strstr(s, "..")); s += 2)
		if (s[-1] == '/' && (s[2] == '/' || s[2] == 0))
			return -1;
	return 0;
}

static const char *content_type(const char *path)
{
	static const char *const types[][2] = {
		{"html", "text/html; charset=utf-8"},
		{"htm", "text/html; charset=utf-8"},
		{"css", "text/css"},
		{"js", "text/javascript"},
		{"json", "application/json"},
		{"txt", "text/plain; charset=utf-8"},
		{"xml", "application/xml"},
		{"svg", "image/svg+xml"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"ico", "image/x-icon"},
		{"webp", "image/webp"},
		{"pdf", "application/pdf"},
		{"wasm", "application/wasm"},
		{"gz", "application/gzip"},
	};
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (!strcasecmp(dot + 1, types[i][0]))
				return types[i][1];
	return "application/octet-stream";
}

/* --- responses ------------------------------------------------------------ */

static const char *status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 301:
		return "Moved Permanently";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	default:
		return "Internal Server Error";
	}
}

/* out_printf: appends to the response buffer; fails when it would not fit. */
static int out_printf(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->out + c->out_len, c->out_cap - c->out_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= c->out_cap - c->out_len)
		return -1;
	c->out_len += (size_t)n;
	return 0;
}

static void put_headers(struct conn *c, int status, const char *type, off_t length,
			const char *extra)
{
	out_printf(c,
		   "HTTP/1.1 %d %s\r\nServer: hut-httpd\r\nContent-Type: %s\r\n"
		   "Content-Length: %lld\r\nConnection: %s\r\n%s\r\n",
		   status, status_text(status), type, (long long)length,
		   c->close_after ? "close" : "keep-alive", extra ? extra : "");
}

/* respond_error: a small HTML page; 400 and 5xx also end the connection. */
static void respond_error(struct conn *c, int status, int head_only)
{
	char body[128];
	int n = snprintf(body, sizeof body, "<h1>%d %s</h1>\n", status, status_text(status));
	if (status == 400 || status == 414 || status == 431 || status >= 500)
		c->close_after = 1;
	put_headers(c, status, "text/html; charset=utf-8", n,
		    status == 405 ? "Allow: GET, HEAD\r\n" : NULL);
	if (!head_only)
		out_printf(c, "%s", body);
}

/* respond_redirect: a directory asked for without its slash (relative links
 * in it would resolve wrong); the query, if any, is dropped. */
static void respond_redirect(struct conn *c, const char *target)
{
	char location[REQUEST_MAX + 16];
	snprintf(location, sizeof location, "Location: %.*s/\r\n", (int)strcspn(target, "?#"),
		 target);
	put_headers(c, 301, "text/html; charset=utf-8", 0, location);
}

/* put_escaped: a name as HTML text (escape_url 0) or as a URL path segment. */
static int put_escaped(struct conn *c, const char *name, int escape_url)
{
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		int r;
		if (escape_url && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				    (*s >= '0' && *s <= '9') || strchr("-._~", *s)))
			r = out_printf(c, "%%%02X", *s);
		else if (*s == '<')
			r = out_printf(c, "&lt;");
		else if (*s == '>')
			r = out_printf(c, "&gt;");
		else if (*s == '&')
			r = out_printf(c, "&amp;");
		else if (*s == '"')
			r = out_printf(c, "&quot;");
		else
			r = out_printf(c, "%c", *s);
		if (r)
			return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* listing_entry: one name as a list item, or nothing when it does not fit. */
static int listing_entry(struct conn *c, const char *name)
{
	size_t mark = c->out_len;
	if (out_printf(c, "<li><a href=\"") || put_escaped(c, name, 1) || out_printf(c, "\">") ||
	    put_escaped(c, name, 0) || out_printf(c, "</a>\n")) {
		c->out_len = mark;
		return -1;
	}
	return 0;
}

/* listing_body: the directory's entries, sorted, as HTML; one too large for
 * the buffer is listed in part, and says so (room for that is kept). */
static void listing_body(struct conn *c, DIR *dir, const char *path)
{
	char *names[1024];
	size_t count = 0;
	struct dirent *e;
	while (count < sizeof names / sizeof names[0] && (e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    (names[count] = strdup(e->d_name)))
			count++;
	int partial = e != NULL;
	qsort(names, count, sizeof names[0], by_name);
	c->out_cap = OUT_MAX - 64;
	if (out_printf(c, "<!DOCTYPE html>\n<title>Index of ") || put_escaped(c, path, 0) ||
	    out_printf(c, "</title>\n<h1>Index of ") || put_escaped(c, path, 0) ||
	    out_printf(c, "</h1>\n<ul>\n"))
		partial = 1;
	for (size_t i = 0; i < count; i++) {
		partial = partial || listing_entry(c, names[i]);
		free(names[i]);
	}
	c->out_cap = OUT_MAX;
	out_printf(c, "</ul>\n%s", partial ? "<p>(listing cut short)\n" : "");
}

/* respond_listing: headers are written after the body is known, so the body
 * is made past a gap, then moved up to close it. */
static void respond_listing(struct conn *c, int dirfd, const char *path, int head_only)
{
	DIR *dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		respond_error(c, 500, head_only);
		return;
	}
	size_t gap = 512, start = c->out_len;
	c->out_len = start + gap;
	listing_body(c, dir, path);
	closedir(dir);
	size_t body_len = c->out_len - start - gap;
	c->out_len = start;
	put_headers(c, 200, "text/html; charset=utf-8", (off_t)body_len, NULL);
	if (!head_only)
		memmove(c->out + c->out_len, c->out + start + gap, body_len);
	c->out_len += head_only ? 0 : body_len;
}

/* respond_file: headers, then the file: in out[] when small, else by sendfile. */
static void respond_file(struct conn *c, int fd, const struct stat *st, const char *path,
			 int head_only)
{
	put_headers(c, 200, content_type(path), st->st_size, NULL);
	if (head_only || st->st_size == 0) {
		close(fd);
		return;
	}
	if (st->st_size <= INLINE_MAX && (off_t)(OUT_MAX - c->out_len) >= st->st_size) {
		ssize_t n = pread(fd, c->out + c->out_len, (size_t)st->st_size, 0);
		if (n == st->st_size) {
			c->out_len += (size_t)n;
			close(fd);
			return;
		}
	}
	c->file = fd;
	c->file_off = 0;
	c->file_end = st->st_size;
}

/* open_under_root: opens root + path; sets *status on failure. */
static int open_under_root(const char *path, struct stat *st, int *status)
{
	char full[PATH_MAX];
	size_t root_len = strlen(opt.root);
	int n = snprintf(full, sizeof full, "%s%s", opt.root,
			 root_len && opt.root[root_len - 1] == '/' ? path + 1 : path);
	if (n < 0 || (size_t)n >= sizeof full) {
		*status = 414;
		return -1;
	}
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st)) {
		*status = errno == ENOENT || errno == ENOTDIR ? 404 : errno == EACCES ? 403 : 500;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
		close(fd);
		*status = 403;
		return -1;
	}
	return fd;
}

/* respond_directory: the index.html inside, else a listing. */
static void respond_directory(struct conn *c, int dirfd, const char *path, int head_only)
{
	struct stat st;
	int fd = openat(dirfd, "index.html", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode)) {
		close(dirfd);
		respond_file(c, fd, &st, "index.html", head_only);
		return;
	}
	if (fd >= 0)
		close(fd);
	respond_listing(c, dirfd, path, head_only);
}

static int serve(struct conn *c, const struct request *r)
{
	int head_only = !strcmp(r->method, "HEAD"), status;
	if (!head_only && strcmp(r->method, "GET")) {
		respond_error(c, 405, 0);
		return 405;
	}
	char path[REQUEST_MAX];
	if (url_path(r->target, path, sizeof path)) {
		respond_error(c, 400, head_only);
		return 400;
	}
	struct stat st;
	int fd = open_under_root(path, &st, &status);
	if (fd < 0) {
		respond_error(c, status, head_only);
		return status;
	}
	if (S_ISREG(st.st_mode)) {
		respond_file(c, fd, &st, path, head_only);
	} else if (path[strlen(path) - 1] != '/') {
		close(fd);
		respond_redirect(c, r->target);
		return 301;
	} else {
		respond_directory(c, fd, path, head_only);
	}
	return 200;
}

/* handle_request: answers the head in[0..len) into out[] (and file). */
static void handle_request(struct conn *c, size_t len)
{
	char head[REQUEST_MAX + 1];
	struct request r;
	memcpy(head, c->in, len);
	head[len] = 0;
	int status;
	if (memchr(head, 0, len) || parse_request(head, &r)) {
		c->close_after = 1;
		respond_error(c, 400, 0);
		status = 400;
	} else {
		c->close_after = !r.keep_alive || r.has_body;
		status = serve(c, &r);
	}
	if (opt.verbose)
		fprintf(stderr, "httpd: %s %s %d\n", status == 400 ? "-" : r.method,
			status == 400 ? "-" : r.target, status);
}

/* --- connections ---------------------------------------------------------- */

static void watch(struct conn *c, int op, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};
	epoll_ctl(epfd, op, c->fd, &ev);
}

static void conn_close(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->file >= 0)
		close(c->file);
	if (c->prev)
		c->prev->next = c->next;
	else
		all_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
	if (--conns < CONNS_MAX && !accepting) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
		accepting = epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) == 0;
	}
}

/* conn_finish: the last response is out. Closing now, with request bytes
 * still unread, would make the kernel reset the connection and could lose
 * the response at the client: stop sending and read until the client
 * closes (or DRAIN_SECONDS pass). */
static void conn_finish(struct conn *c)
{
	if (shutdown(c->fd, SHUT_WR)) {
		conn_close(c);
		return;
	}
	c->draining = 1;
	c->sending = 0;
	c->in_len = 0;
	watch(c, EPOLL_CTL_MOD, EPOLLIN);
}

/* send_file_part: the next piece of the body file; <0 error, 0 would block. */
static ssize_t send_file_part(struct conn *c)
{
	size_t want = (size_t)(c->file_end - c->file_off);
	if (want > SENDFILE_CHUNK)
		want = SENDFILE_CHUNK;
	if (use_sendfile) {
		ssize_t n = sendfile(c->fd, c->file, &c->file_off, want);
		if (n >= 0 || (errno != EINVAL && errno != ENOSYS))
			return n == 0 ? -1 : n; /* 0: the file shrank under us */
		use_sendfile = 0;
	}
	char buf[16384];
	ssize_t n = pread(c->file, buf, want < sizeof buf ? want : sizeof buf, c->file_off);
	if (n <= 0)
		return -1;
	ssize_t w = write(c->fd, buf, (size_t)n);
	if (w > 0)
		c->file_off += w;
	return w;
}

/* send_pending: 1 when the response is all sent, 0 when the socket is full,
 * -1 when the connection is gone. */
static int send_pending(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->out_off += (size_t)n;
	}
	while (c->file >= 0 && c->file_off < c->file_end) {
		ssize_t n = send_file_part(c);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
	}
	if (c->file >= 0) {
		close(c->file);
		c->file = -1;
	}
	return 1;
}

/* next_response: puts the answer to the first complete request in in[] (or
 * to a head too large for it) into out[]; 0 when no request is complete. */
static int next_response(struct conn *c)
{
	size_t len = head_length(c->in, c->in_len);
	if (!len && c->in_len < REQUEST_MAX)
		return 0;
	c->out_len = c->out_off = 0;
	c->file = -1;
	if (!len) {
		respond_error(c, 431, 0);
		c->in_len = 0;
		return 1;
	}
	handle_request(c, len);
	memmove(c->in, c->in + len, c->in_len - len);
	c->in_len -= len;
	return 1;
}

/* serve_buffered: answers the complete requests in in[], in order, until one
 * cannot be sent at once (then waits for EPOLLOUT). */
static void serve_buffered(struct conn *c)
{
	while (next_response(c)) {
		int sent = send_pending(c);
		if (sent < 0) {
			conn_close(c);
			return;
		}
		if (!sent) {
			c->sending = 1;
			watch(c, EPOLL_CTL_MOD, EPOLLOUT);
			return;
		}
		if (c->close_after) {
			conn_finish(c);
			return;
		}
	}
}

static void on_readable(struct conn *c)
{
	char scratch[4096];
	int draining = c->draining;
	char *to = draining ? scratch : c->in + c->in_len;
	ssize_t n = read(c->fd, to, draining ? sizeof scratch : REQUEST_MAX - c->in_len);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
	} else if (n > 0 && !draining) {
		c->in_len += (size_t)n;
		serve_buffered(c);
	}
}

static void on_writable(struct conn *c)
{
	int sent = send_pending(c);
	if (sent < 0) {
		conn_close(c);
	} else if (sent && c->close_after) {
		conn_finish(c);
	} else if (sent) {
		c->sending = 0;
		watch(c, EPOLL_CTL_MOD, EPOLLIN);
		serve_buffered(c);
	}
}

static struct conn *conn_new(int fd)
{
	struct conn *c = malloc(sizeof *c);
	if (!c)
		return NULL;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->fd = fd;
	c->sending = c->close_after = c->draining = 0;
	c->last_active = now_seconds();
	c->in_len = c->out_len = c->out_off = 0;
	c->out_cap = OUT_MAX;
	c->file = -1;
	c->prev = NULL;
	c->next = all_conns;
	if (all_conns)
		all_conns->prev = c;
	all_conns = c;
	conns++;
	watch(c, EPOLL_CTL_ADD, EPOLLIN);
	return c;
}

/* accept_all: takes every pending connection; at CONNS_MAX (or out of fds or
 * memory) stops listening until a connection ends. */
static void accept_all(void)
{
	while (conns < CONNS_MAX) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno != EMFILE && errno != ENFILE && errno != ENOBUFS &&
		    errno != ENOMEM)
			return; /* EAGAIN: all taken; ECONNABORTED and the like: gone already */
		if (fd < 0)
			break;
		if (!conn_new(fd)) {
			close(fd);
			break;
		}
	}
	epoll_ctl(epfd, EPOLL_CTL_DEL, listen_fd, NULL);
	accepting = 0;
}

/* sweep_idle: closes connections silent for too long (slow or stuck clients
 * must not hold a slot for ever). */
static void sweep_idle(time_t now)
{
	for (struct conn *c = all_conns, *next; c; c = next) {
		next = c->next;
		if (now - c->last_active > (c->draining ? DRAIN_SECONDS : IDLE_SECONDS))
			conn_close(c);
	}
}

/* --- start-up ------------------------------------------------------------- */

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 128)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: httpd [--port N] [--root DIR] [--verbose]\n"
		"Serves the files under DIR (default .) over HTTP/1.1 on port N (default 8080):\n"
		"GET and HEAD, keep-alive, a directory's index.html or a listing.\n"
		"  --verbose  one line per request on stderr\n");
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"root", required_argument, NULL, 'r'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "p:r:vh", longopts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'p':
			opt.port = (int)strtol(optarg, &end, 10);
			if (*end || opt.port < 1 || opt.port > 65535) {
				fprintf(stderr, "httpd: --port %s: not a port number\n", optarg);
				return 2;
			}
			break;
		case 'r':
			opt.root = optarg;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static void run(void)
{
	struct epoll_event events[EVENTS_MAX];
	time_t last_sweep = now_seconds();
	for (;;) {
		int n = epoll_wait(epfd, events, EVENTS_MAX, 1000);
		time_t now = now_seconds();
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			if (!c) {
				accept_all();
				continue;
			}
			c->last_active = now;
			if (c->sending)
				on_writable(c); /* an error or hang-up shows as a failed write */
			else
				on_readable(c); /* ... or as a failed or empty read */
		}
		if (now != last_sweep) {
			sweep_idle(now);
			last_sweep = now;
		}
	}
}

int main(int argc, char **argv)
{
	int st = parse_options(argc, argv);
	if (st)
		return st;
	struct stat root;
	if (stat(opt.root, &root) || !S_ISDIR(root.st_mode)) {
		fprintf(stderr, "httpd: --root %s: not a directory\n", opt.root);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN); /* a client gone mid-response is an EPIPE, not our end */
	listen_fd = listen_on(opt.port);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (listen_fd < 0 || epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev)) {
		fprintf(stderr, "httpd: port %d: %s\n", opt.port, strerror(errno));
		return 1;
	}
	printf("httpd: serving %s on port %d\n", opt.root, opt.port);
	fflush(stdout);
	run();
}
