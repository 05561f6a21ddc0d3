/*
 * udpecho: sends every UDP datagram it receives on --port back to its
 * sender, unchanged (up to 64 KiB). `--count N` stops after N datagrams
 * (a test's way to end it with exit status 0); `--verbose` prints one line
 * per datagram on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_number(const char *name, const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (!*s || *end || errno || *out < min || *out > max) {
		fprintf(stderr, "udpecho: --%s %s: expected a number from %ld to %ld\n", name, s,
			min, max);
		return -1;
	}
	return 0;
}

static int bind_udp(long port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a)) {
		fprintf(stderr, "udpecho: port %ld: %s\n", port, strerror(errno));
		return -1;
	}
	return fd;
}

static int echo(int fd, long count, int verbose)
{
	static char buf[65536];
	for (long n = 0; count == 0 || n < count; n++) {
		struct sockaddr_in from;
		socklen_t len = sizeof from;
		ssize_t got = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "udpecho: recvfrom: %s\n", strerror(errno));
			return 1;
		}
		if (sendto(fd, buf, (size_t)got, 0, (struct sockaddr *)&from, len) != got)
			fprintf(stderr, "udpecho: sendto: %s\n", strerror(errno));
		if (verbose)
			fprintf(stderr, "udpecho: %zd bytes from port %u\n", got,
				ntohs(from.sin_port));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long port = 7, count = 0;
	int verbose = 0, ch;
	while ((ch = getopt_long(argc, argv, "p:c:vh", longopts, NULL)) != -1) {
		if (ch == 'p' && parse_number("port", optarg, 1, 65535, &port))
			return 2;
		if (ch == 'c' && parse_number("count", optarg, 0, 1L << 40, &count))
			return 2;
		if (ch == 'v')
			verbose = 1;
		if (ch == 'h' || ch == '?') {
			fprintf(ch == 'h' ? stdout : stderr,
				"usage: udpecho [--port N] [--count N] [--verbose]\n"
				"Echoes UDP datagrams on port N (default 7); --count stops after "
				"N.\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	int fd = bind_udp(port);
	if (fd < 0)
		return 1;
	printf("udpecho: on port %ld\n", port);
	fflush(stdout);
	return echo(fd, count, verbose);
}
