/*
 * Fork and snapshot (tests/integration/fork.sh), as a database that saves
 * in a forked child does: the parent fills 8 MiB of heap, forks, and keeps
 * changing every page while the child writes the heap to a file in pieces
 * (both yield between pieces, so that they interleave). Then the file must
 * hold the heap as it was at the fork, not a page of the parent's later
 * writes, and the parent's memory must hold only its own. Prints a line for
 * each; the same bytes as a glibc program, a process and an appliance.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (8u << 20)
#define PIECE (64u << 10)
#define PAGE 4096u

/* The byte at offset i of generation g. */
static uint8_t pattern(size_t i, unsigned g)
{
	return (uint8_t)((i / PAGE) * 7u + i % 251u + g * 101u);
}

static int holds(const uint8_t *buf, size_t off, size_t len, unsigned g)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(off + i, g))
			return 0;
	return 1;
}

static void save(const uint8_t *heap, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		_exit(2);
	for (size_t off = 0; off < SIZE; off += PIECE) {
		if (write(fd, heap + off, PIECE) != (ssize_t)PIECE)
			_exit(3);
		sched_yield();
	}
	_exit(fsync(fd) == 0 && close(fd) == 0 ? 0 : 4);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: snapshot FILE\n");
		return 2;
	}
	uint8_t *heap = malloc(SIZE);
	for (size_t i = 0; i < SIZE; i++)
		heap[i] = pattern(i, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		save(heap, argv[1]);
	for (unsigned g = 1; g <= 3; g++) /* every page changed, three times over */
		for (size_t off = 0; off < SIZE; off += PIECE) {
			for (size_t i = off; i < off + PIECE; i++)
				heap[i] = pattern(i, g);
			sched_yield();
		}
	int status;
	waitpid(pid, &status, 0);
	printf("the child saved: %s\n", WIFEXITED(status) && !WEXITSTATUS(status) ? "yes" : "no");
	int fd = open(argv[1], O_RDONLY);
	uint8_t *piece = malloc(PIECE);
	int same = fd >= 0;
	for (size_t off = 0; same && off < SIZE; off += PIECE)
		same = read(fd, piece, PIECE) == (ssize_t)PIECE && holds(piece, off, PIECE, 0);
	printf("the file is the memory at the fork: %s\n", same ? "yes" : "no");
	printf("the parent's memory is its own: %s\n", holds(heap, 0, SIZE, 3) ? "yes" : "no");
	return 0;
}
