/*
 * kv: a TCP key-value server speaking a subset of memcached's text protocol:
 *
 *   set <key> <flags> <exptime> <bytes> [noreply]\r\n<data>\r\n  -> STORED
 *   get <key>...\r\n          -> VALUE <key> <flags> <bytes>\r\n<data>\r\n ... END
 *   delete <key> [noreply]\r\n -> DELETED | NOT_FOUND
 *   quit\r\n
 *
 * exptime as memcached: 0 never, up to 30 days relative seconds, above that
 * a Unix time, negative already expired. Anything else is ERROR; a malformed
 * line CLIENT_ERROR; a value over VALUE_MAX SERVER_ERROR, then the
 * connection ends (its data cannot be told apart from commands).
 *
 * `--data FILE` keeps an append-only log (on a volume, for an appliance),
 * replayed at start. A batch of commands read at once has its records
 * written, then one fsync, then its replies: no set or delete is
 * acknowledged before it is durable. A record that does not check out (a
 * write cut short by a crash) ends the replay and is cut off the file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_MAX 250
#define LINE_MAX_LEN 2048 /* a command line longer than this is refused */
#define VALUE_MAX (1024 * 1024)
#define OUT_HIGH (1024 * 1024)	      /* stop reading a client with this much unsent */
#define RELATIVE_MAX (30 * 24 * 3600) /* memcached: larger exptimes are Unix times */
#define EVENTS_MAX 64

/* --- the table ------------------------------------------------------------- */

struct item {
	struct item *next;
	uint32_t flags;
	int64_t expires; /* Unix time, 0: never */
	size_t key_len, len;
	char bytes[]; /* the key, then the value */
};

static struct item **table;
static size_t table_size, items;

static uint64_t hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)key[i]) * 1099511628211u;
	return h;
}

static int64_t unix_now(void)
{
	return (int64_t)time(NULL);
}

static struct item **slot_of(const char *key, size_t len)
{
	struct item **p = &table[hash(key, len) & (table_size - 1)];
	while (*p && ((*p)->key_len != len || memcmp((*p)->bytes, key, len)))
		p = &(*p)->next;
	return p;
}

static void grow_table(void)
{
	size_t old_size = table_size;
	struct item **old = table;
	table_size = old_size ? old_size * 2 : 1024;
	table = calloc(table_size, sizeof *table);
	if (!table) {
		fprintf(stderr, "kv: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < old_size; i++)
		for (struct item *it = old[i], *next; it; it = next) {
			next = it->next;
			struct item **p = &table[hash(it->bytes, it->key_len) & (table_size - 1)];
			it->next = *p;
			*p = it;
		}
	free(old);
}

static int table_set(const char *key, size_t key_len, uint32_t flags, int64_t expires,
		     const char *value, size_t len)
{
	if (items >= table_size)
		grow_table();
	struct item *it = malloc(sizeof *it + key_len + len);
	if (!it)
		return -1;
	it->flags = flags;
	it->expires = expires;
	it->key_len = key_len;
	it->len = len;
	memcpy(it->bytes, key, key_len);
	memcpy(it->bytes + key_len, value, len);
	struct item **p = slot_of(key, key_len);
	if (*p) {
		it->next = (*p)->next;
		free(*p);
	} else {
		it->next = NULL;
		items++;
	}
	*p = it;
	return 0;
}

static int table_delete(const char *key, size_t key_len)
{
	struct item **p = slot_of(key, key_len), *it = *p;
	if (!it)
		return 0;
	*p = it->next;
	free(it);
	items--;
	return 1;
}

/* table_get: the live item, dropping it if it has expired. */
static struct item *table_get(const char *key, size_t key_len)
{
	struct item *it = *slot_of(key, key_len);
	if (it && it->expires && it->expires <= unix_now()) {
		table_delete(key, key_len);
		return NULL;
	}
	return it;
}

/* --- the log --------------------------------------------------------------- */
/* Records: "S KEY FLAGS EXPIRES BYTES CRC\n" DATA "\n", and "D KEY CRC\n";
 * CRC (8 hex digits) covers the line before it and the data. */

static int log_fd = -1;
static const char *log_path;

static uint32_t crc32_update(uint32_t c, const char *s, size_t n)
{
	c = ~c;
	for (size_t i = 0; i < n; i++) {
		c ^= (uint8_t)s[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static void log_failed(const char *what)
{
	fprintf(stderr,
		"kv: %s: %s failed: %s (exiting: a set must not be acknowledged unless "
		"it is durable)\n",
		log_path, what, strerror(errno));
	exit(1);
}

/* The batch's records, written and fsync'ed by log_sync before its replies
 * go out: one write and one fsync per batch, not per command. */
static char *log_buf;
static size_t log_len, log_cap;

static void log_append(const void *data, size_t len)
{
	if (log_len + len > log_cap) {
		size_t cap = log_cap ? log_cap : 65536;
		while (cap < log_len + len)
			cap *= 2;
		char *p = realloc(log_buf, cap);
		if (!p)
			log_failed("allocating the batch");
		log_buf = p;
		log_cap = cap;
	}
	memcpy(log_buf + log_len, data, len);
	log_len += len;
}

/* log_write: a record: the head line and its CRC, then the data (if any). */
static void log_write(const char *head, size_t head_len, const char *data, size_t len)
{
	uint32_t crc = crc32_update(crc32_update(0, head, head_len), data, len);
	char tail[16];
	int n = snprintf(tail, sizeof tail, " %08x\n", crc);
	log_append(head, head_len);
	log_append(tail, (size_t)n);
	if (data) {
		log_append(data, len);
		log_append("\n", 1);
	}
}

static void log_set(const char *key, size_t key_len, uint32_t flags, int64_t expires,
		    const char *value, size_t len)
{
	if (log_fd < 0)
		return;
	char head[KEY_MAX + 80];
	int n = snprintf(head, sizeof head, "S %.*s %u %lld %zu", (int)key_len, key, flags,
			 (long long)expires, len);
	log_write(head, (size_t)n, value ? value : "", len);
}

static void log_delete(const char *key, size_t key_len)
{
	if (log_fd < 0)
		return;
	char head[KEY_MAX + 8];
	int n = snprintf(head, sizeof head, "D %.*s", (int)key_len, key);
	log_write(head, (size_t)n, NULL, 0);
}

/* log_sync: makes the batch's records durable before its replies go out. */
static void log_sync(void)
{
	if (log_fd < 0 || log_len == 0)
		return;
	for (size_t off = 0; off < log_len;) {
		ssize_t w = write(log_fd, log_buf + off, log_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			log_failed("write");
		off += (size_t)w;
	}
	if (fsync(log_fd))
		log_failed("fsync");
	log_len = 0;
}

/* replay_record: applies the record at p (end at end); its length, or 0 if
 * it does not check out. */
static size_t replay_record(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || nl - p < 12 || nl - p > KEY_MAX + 80)
		return 0;
	char line[KEY_MAX + 96], key[KEY_MAX + 1];
	size_t head_len = (size_t)(nl - p) - 9;
	memcpy(line, p, (size_t)(nl - p));
	line[nl - p] = 0;
	unsigned flags, crc;
	long long expires;
	size_t len;
	int used = 0;
	if (sscanf(line, "S %250s %u %lld %zu %8x%n", key, &flags, &expires, &len, &crc, &used) ==
		    5 &&
	    used == nl - p) {
		const char *data = nl + 1;
		if (len > VALUE_MAX || (size_t)(end - data) < len + 1 || data[len] != '\n' ||
		    crc != crc32_update(crc32_update(0, p, head_len), data, len))
			return 0;
		if (table_set(key, strlen(key), flags, expires, data, len))
			return 0;
		return (size_t)(data + len + 1 - p);
	}
	if (sscanf(line, "D %250s %8x%n", key, &crc, &used) == 2 && used == nl - p) {
		if (crc != crc32_update(0, p, head_len))
			return 0;
		table_delete(key, strlen(key));
		return (size_t)(nl + 1 - p);
	}
	return 0;
}

static char *read_whole(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st))
		return NULL;
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	*len = got;
	return buf;
}

/* log_open: replays FILE into the table, cuts off a torn tail, and keeps it
 * open for appending. */
static int log_open(const char *path)
{
	log_path = path;
	log_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	size_t len = 0, off = 0, n, records = 0;
	char *buf = log_fd < 0 ? NULL : read_whole(log_fd, &len);
	if (!buf) {
		fprintf(stderr, "kv: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (off < len && (n = replay_record(buf + off, buf + len))) {
		off += n;
		records++;
	}
	free(buf);
	if (off < len) {
		fprintf(stderr, "kv: %s: %zu bytes after record %zu do not check out: cut off\n",
			path, len - off, records);
		if (ftruncate(log_fd, (off_t)off) || fsync(log_fd)) {
			fprintf(stderr, "kv: %s: cannot cut it: %s\n", path, strerror(errno));
			return -1;
		}
	}
	printf("kv: %s: %zu records, %zu keys\n", path, records, items);
	return 0;
}

/* --- connections ----------------------------------------------------------- */

struct conn {
	int fd;
	int closing;	 /* quit, or an error after which the stream cannot be trusted */
	uint32_t events; /* what epoll watches for it */
	char *in, *out;
	size_t in_off; /* in[] before this is answered */
	size_t in_len, in_cap, out_len, out_off, out_cap;
};

static int epfd;

static int out_put(struct conn *c, const void *data, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p)
			return -1;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

static void out_str(struct conn *c, const char *s)
{
	if (out_put(c, s, strlen(s)))
		c->closing = 1;
}

static int valid_key(const char *key)
{
	size_t len = strlen(key);
	if (len == 0 || len > KEY_MAX)
		return 0;
	for (const char *k = key; *k; k++)
		if ((unsigned char)*k <= ' ' || *k == 0x7f)
			return 0;
	return 1;
}

static int64_t expiry(long long exptime)
{
	if (exptime == 0)
		return 0;
	if (exptime < 0)
		return 1; /* in the past: gone at once */
	return exptime <= RELATIVE_MAX ? unix_now() + exptime : exptime;
}

static void cmd_get(struct conn *c, char **words, int count)
{
	for (int i = 1; i < count; i++) {
		struct item *it = table_get(words[i], strlen(words[i]));
		if (!it)
			continue;
		char head[KEY_MAX + 64];
		int n = snprintf(head, sizeof head, "VALUE %s %u %zu\r\n", words[i], it->flags,
				 it->len);
		if (out_put(c, head, (size_t)n) || out_put(c, it->bytes + it->key_len, it->len) ||
		    out_put(c, "\r\n", 2))
			c->closing = 1;
	}
	out_str(c, "END\r\n");
}

static void cmd_delete(struct conn *c, char **words, int count)
{
	if (count < 2 || count > 3 || !valid_key(words[1]) ||
	    (count == 3 && strcmp(words[2], "noreply"))) {
		out_str(c, "CLIENT_ERROR bad command line format\r\n");
		return;
	}
	int found = table_delete(words[1], strlen(words[1]));
	if (found)
		log_delete(words[1], strlen(words[1]));
	if (count == 2)
		out_str(c, found ? "DELETED\r\n" : "NOT_FOUND\r\n");
}

/* cmd_set: line_len is the command line's length with its line end; the
 * data follows. Returns the bytes consumed, 0 while the data is incomplete. */
static size_t cmd_set(struct conn *c, char **words, int count, size_t line_len)
{
	char *end;
	unsigned long flags = 0;
	long long exptime = 0;
	unsigned long long bytes = 0;
	int ok =
		(count == 5 || (count == 6 && !strcmp(words[5], "noreply"))) && valid_key(words[1]);
	if (ok) {
		errno = 0;
		flags = strtoul(words[2], &end, 10);
		ok = !*end && flags <= UINT32_MAX;
		exptime = strtoll(words[3], &end, 10);
		ok = ok && !*end;
		bytes = strtoull(words[4], &end, 10);
		ok = ok && !*end && !errno && words[4][0] != '-';
	}
	if (!ok) {
		out_str(c, "CLIENT_ERROR bad command line format\r\n");
		return line_len;
	}
	if (bytes > VALUE_MAX) {
		out_str(c, "SERVER_ERROR object too large for cache\r\n");
		c->closing = 1;
		return line_len;
	}
	if (c->in_len - c->in_off < line_len + bytes + 2)
		return 0;
	const char *data = c->in + c->in_off + line_len;
	if (data[bytes] != '\r' || data[bytes + 1] != '\n') {
		out_str(c, "CLIENT_ERROR bad data chunk\r\n");
		c->closing = 1;
		return line_len;
	}
	int64_t expires = expiry(exptime);
	size_t key_len = strlen(words[1]);
	if (table_set(words[1], key_len, (uint32_t)flags, expires, data, bytes)) {
		out_str(c, "SERVER_ERROR out of memory storing object\r\n");
	} else {
		log_set(words[1], key_len, (uint32_t)flags, expires, data, bytes);
		if (count == 5)
			out_str(c, "STORED\r\n");
	}
	return line_len + bytes + 2;
}

/* split: the line's words (at most max), in place. */
static int split(char *line, char **words, int max)
{
	int count = 0;
	for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " "))
		if (count < max)
			words[count++] = tok;
		else
			return max + 1;
	return count;
}

/* one_command: answers the first command at in[in_off]; the bytes it used,
 * or 0 when it is incomplete. */
static size_t one_command(struct conn *c)
{
	const char *start = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off;
	const char *nl = memchr(start, '\n', avail < LINE_MAX_LEN ? avail : LINE_MAX_LEN);
	if (!nl) {
		if (avail >= LINE_MAX_LEN) {
			out_str(c, "CLIENT_ERROR line too long\r\n");
			c->closing = 1;
		}
		return 0;
	}
	size_t line_len = (size_t)(nl - start) + 1;
	size_t text_len = line_len - 1 - (nl > start && nl[-1] == '\r');
	char line[LINE_MAX_LEN + 1], *words[KEY_MAX];
	memcpy(line, start, text_len);
	line[text_len] = 0;
	int count = memchr(start, 0, text_len) ? -1 : split(line, words, KEY_MAX - 1);
	if (count <= 0 || count >= KEY_MAX) {
		out_str(c, count == 0 ? "ERROR\r\n" : "CLIENT_ERROR bad command line format\r\n");
		return line_len;
	}
	if (!strcmp(words[0], "get") && count >= 2) {
		cmd_get(c, words, count);
	} else if (!strcmp(words[0], "set")) {
		return cmd_set(c, words, count, line_len);
	} else if (!strcmp(words[0], "delete")) {
		cmd_delete(c, words, count);
	} else if (!strcmp(words[0], "quit")) {
		c->closing = 1;
	} else {
		out_str(c, "ERROR\r\n");
	}
	return line_len;
}

static void conn_close(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

static void watch(struct conn *c, int op, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};
	if (op == EPOLL_CTL_ADD || events != c->events)
		epoll_ctl(epfd, op, c->fd, &ev);
	c->events = events;
}

/* flush: sends what out[] holds; -1 when the connection is gone. A client
 * that does not read its replies is not read either (OUT_HIGH). */
static int flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0)
			return -1;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	uint32_t events = c->out_len >= OUT_HIGH ? EPOLLOUT
			  : c->out_len		 ? EPOLLIN | EPOLLOUT
						 : EPOLLIN;
	watch(c, EPOLL_CTL_MOD, events);
	return 0;
}

/* serve: answers every complete command in in[], makes their records
 * durable, then sends the replies. */
static void serve(struct conn *c)
{
	size_t n;
	c->in_off = 0;
	while (!c->closing && c->out_len < OUT_HIGH && (n = one_command(c)))
		c->in_off += n;
	memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
	c->in_len -= c->in_off;
	c->in_off = 0;
	log_sync();
	if (flush(c) || (c->closing && c->out_len == 0))
		conn_close(c);
}

static int in_reserve(struct conn *c)
{
	size_t need = LINE_MAX_LEN + VALUE_MAX + 2;
	if (c->in_cap - c->in_len >= 4096 || c->in_cap >= need)
		return 0;
	size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
	char *p = realloc(c->in, cap < need ? cap : need);
	if (!p)
		return -1;
	c->in = p;
	c->in_cap = cap < need ? cap : need;
	return 0;
}

static void on_event(struct conn *c, uint32_t events)
{
	if (((events & EPOLLOUT) && flush(c)) || (c->closing && c->out_len == 0)) {
		conn_close(c);
		return;
	}
	if (c->closing)
		return; /* nothing more is read: the rest of out[] goes, then it ends */
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || c->out_len >= OUT_HIGH) {
		if (c->out_len < OUT_HIGH && c->in_len)
			serve(c);
		return;
	}
	if (in_reserve(c)) {
		conn_close(c);
		return;
	}
	ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
		return;
	}
	if (n > 0)
		c->in_len += (size_t)n;
	serve(c);
}

static void accept_all(int listen_fd)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->fd = fd;
		watch(c, EPOLL_CTL_ADD, EPOLLIN);
	}
}

/* --- start-up -------------------------------------------------------------- */

static int listen_on(long port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 128)) {
		fprintf(stderr, "kv: port %ld: %s\n", port, strerror(errno));
		return -1;
	}
	return fd;
}

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: kv [--port N] [--data FILE]\n"
		   "A key-value server on TCP port N (default 11211), memcached's text protocol:\n"
		   "get, set, delete, quit. --data FILE: an append-only log, replayed at start;\n"
		   "a set is acknowledged once it is fsync'ed there.\n");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long port = 11211;
	const char *data = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "p:d:h", longopts, NULL)) != -1) {
		char *end;
		if (ch == 'p' && ((port = strtol(optarg, &end, 10)) < 1 || port > 65535 || *end)) {
			fprintf(stderr, "kv: --port %s: not a port number\n", optarg);
			return 2;
		}
		if (ch == 'd')
			data = optarg;
		if (ch == 'h')
			return usage(stdout, 0);
		if (ch == '?')
			return usage(stderr, 2);
	}
	signal(SIGPIPE, SIG_IGN);
	grow_table();
	if (data && log_open(data))
		return 1;
	int listen_fd = listen_on(port);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (listen_fd < 0 || epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev))
		return 1;
	printf("kv: on port %ld\n", port);
	fflush(stdout);
	struct epoll_event events[EVENTS_MAX];
	for (;;) {
		int n = epoll_wait(epfd, events, EVENTS_MAX, -1);
		for (int i = 0; i < n; i++)
			if (events[i].data.ptr)
				on_event(events[i].data.ptr, events[i].events);
			else
				accept_all(listen_fd);
	}
}
