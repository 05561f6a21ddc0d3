/*
 * fetch: an HTTP/1.0 client, the appliance that connects out:
 *
 *   fetch ADDR PORT PATH
 *
 * connects to the IPv4 address ADDR (no name lookup), sends GET PATH, and
 * writes the response's body to stdout. Exit status 0 for a 200 answer, 1
 * for any other answer, 3 when the connection fails or breaks, 2 for a
 * usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX 16384

static int connect_to(const char *addr, const char *port_text)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	char *end;
	long port = strtol(port_text, &end, 10);
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1 || *end || port < 1 || port > 65535) {
		fprintf(stderr, "fetch: %s %s: not an IPv4 address and port\n", addr, port_text);
		return -2;
	}
	a.sin_port = htons((uint16_t)port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "fetch: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		fprintf(stderr, "fetch: connect to %s:%ld: %s\n", addr, port, strerror(errno));
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read_head: reads until the end of the response head; the body bytes read
 * past it are left at head + *head_len, *got bytes in all. */
static int read_head(int fd, char *head, size_t *head_len, size_t *got)
{
	*got = 0;
	while (*got < HEAD_MAX) {
		ssize_t n = read(fd, head + *got, HEAD_MAX - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		*got += (size_t)n;
		char *end = memmem(head, *got, "\r\n\r\n", 4);
		if (end) {
			*head_len = (size_t)(end - head) + 4;
			return 0;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 4 || argv[3][0] != '/') {
		fprintf(stderr, "usage: fetch ADDR PORT /PATH\n");
		return 2;
	}
	int fd = connect_to(argv[1], argv[2]);
	if (fd < 0)
		return fd == -2 ? 2 : 3;
	char req[4096], head[HEAD_MAX];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", argv[3], argv[1]);
	size_t head_len, got;
	if (n < 0 || (size_t)n >= sizeof req || write_all(fd, req, (size_t)n) ||
	    read_head(fd, head, &head_len, &got)) {
		fprintf(stderr, "fetch: no HTTP response from %s:%s\n", argv[1], argv[2]);
		return 3;
	}
	int ok = !strncmp(head, "HTTP/1.", 7) && !strncmp(head + 8, " 200 ", 5);
	if (write_all(1, head + head_len, got - head_len))
		return 3;
	char buf[16384];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && write_all(1, buf, (size_t)r))
			return 3;
	if (r < 0) {
		fprintf(stderr, "fetch: reading the body: %s\n", strerror(errno));
		return 3;
	}
	return ok ? 0 : 1;
}
