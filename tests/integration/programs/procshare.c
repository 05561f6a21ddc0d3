/*
 * What processes share (fork.sh): MAP_SHARED anonymous memory that 8
 * processes count in at once; an fd passed from a child to its parent over
 * a socketpair (SCM_RIGHTS); a pre-forking server: workers forked after
 * listen() accept on the one listening socket and each connection is
 * answered by some worker; SIGTERM to the workers' group ends them. It
 * prints only what is the same for any run: the same bytes as a glibc
 * program, a hut image run as a process, and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define COUNTERS 8
#define ROUNDS 2000
#define WORKERS 3
#define CLIENTS 9

static void shared_counters(void)
{
	long *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long private_count = 0;
	fflush(stdout);
	for (int i = 0; i < COUNTERS; i++) {
		if (fork() == 0) {
			for (int r = 0; r < ROUNDS; r++) {
				__atomic_add_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
				private_count++;
				if (r % 100 == 0)
					sched_yield();
			}
			shared[1 + i] = private_count;
			_exit(0);
		}
	}
	while (wait(0) > 0)
		;
	long sum = 0;
	for (int i = 0; i < COUNTERS; i++)
		sum += shared[1 + i];
	printf("shared counter: %ld (want %d), children's own counts: %ld, parent's own: %ld\n",
	       shared[0], COUNTERS * ROUNDS, sum, private_count);
	munmap(shared, 4096);
}

static void send_fd(int sock, int fd)
{
	char byte = 'f';
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = c.buf,
			   .msg_controllen = sizeof c.buf};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	sendmsg(sock, &m, 0);
}

static int receive_fd(int sock)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = c.buf,
			   .msg_controllen = sizeof c.buf};
	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
	return fd;
}

/* The child makes a pipe, keeps writing to it, and sends its read end. */
static void fd_passing(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int p[2];
		pipe(p);
		send_fd(sv[1], p[0]);
		close(p[0]);
		const char msg[] = "written by the child into its own pipe";
		write(p[1], msg, sizeof msg - 1);
		_exit(0);
	}
	int fd = receive_fd(sv[0]);
	char buf[100];
	ssize_t n = read(fd, buf, sizeof buf);
	printf("from a pipe the child passed: %.*s\n", (int)(n > 0 ? n : 0), buf);
	printf("then end of file: %s\n", read(fd, buf, 1) == 0 ? "yes" : "no");
	close(fd);
	close(sv[0]);
	close(sv[1]);
	waitpid(pid, 0, 0);
}

static void prefork_server(void)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/procshare-%d.sock", (int)getpid());
	unlink(path);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(lfd, (struct sockaddr *)&a, sizeof a);
	listen(lfd, 16);
	pid_t workers[WORKERS];
	fflush(stdout);
	for (int w = 0; w < WORKERS; w++) {
		if ((workers[w] = fork()) == 0) {
			setpgid(0, 0);
			for (;;) {
				int c = accept(lfd, 0, 0);
				if (c < 0)
					continue;
				char reply[32];
				int n = snprintf(reply, sizeof reply, "%d", (int)getpid());
				write(c, reply, (size_t)n);
				close(c);
			}
		}
	}
	int answered = 0, by_a_worker = 0;
	for (int i = 0; i < CLIENTS; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof a) == 0) {
			char reply[32] = "";
			ssize_t n = read(c, reply, sizeof reply - 1);
			if (n > 0) {
				answered++;
				pid_t who = (pid_t)strtol(reply, 0, 10);
				for (int w = 0; w < WORKERS; w++)
					by_a_worker += who == workers[w];
			}
		}
		close(c);
	}
	printf("connections answered: %d of %d, each by a worker: %s\n", answered, CLIENTS,
	       by_a_worker == answered ? "yes" : "no");
	int ended = 0;
	for (int w = 0; w < WORKERS; w++) {
		kill(workers[w], SIGTERM);
		int status;
		if (waitpid(workers[w], &status, 0) == workers[w] && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGTERM)
			ended++;
	}
	printf("workers ended by SIGTERM: %d of %d\n", ended, WORKERS);
	close(lfd);
	unlink(path);
}

int main(void)
{
	shared_counters();
	fd_passing();
	prefork_server();
	return 0;
}
