/*
 * A pool of monitors made ready before they are needed (--pool): each
 * restores one snapshot up to the guest's first instruction (the image
 * read, the snapshot mapped and its pages in, the VM, its memory slot and
 * vCPU made: on kvm-pvm most of a launch), then waits for one request on
 * a Unix socket; `hut-monitor --pool-run SOCKET` is the request. Each
 * guest still has a monitor process of its own, with its own sandbox.
 * Files: pool_serve.c (the supervisor, which keeps N monitors waiting),
 * pool_child.c (a waiting monitor's side of a request), pool_run.c (the
 * client). docs/ARCHITECTURE.md, "Snapshots", says why and what it costs.
 */
#ifndef HUT_MONITOR_POOL_H
#define HUT_MONITOR_POOL_H

#include "monitor.h"

/* One request: a SOCK_SEQPACKET message of this header, then argc
 * NUL-terminated per-instance options; SCM_RIGHTS carries the client's
 * stdin, stdout, stderr and, for --net fd=N, fd N. The answer: one message
 * of a struct hut_pool_status when the guest ends. */
#define HUT_POOL_MAGIC 0x50545548u /* "HUTP" */
#define HUT_POOL_VERSION 1u
#define HUT_POOL_MSG_MAX 4096
#define HUT_POOL_ARGS_MAX 16

struct hut_pool_request {
	uint32_t magic, version;
	uint32_t argc; /* options that follow */
	uint32_t nfds; /* 3, or 4 with --net fd=N's */
};

struct hut_pool_status {
	uint32_t magic;
	int32_t status; /* the monitor's exit status */
};

/* A note on the supervisor's pipe: a child's ('r' ready, 't' took a
 * request), or, pid 0, its own signal handler's ('c' SIGCHLD, 's' stop). */
struct hut_pool_note {
	int pid;
	char what;
};

/* pool_serve.c: --pool SOCKET: in the supervisor, never returns; in each
 * monitor it starts, returns at once (main then prepares the machine). */
void hut_pool_serve(const char *socket_path, unsigned size);

/* pool_child.c: in a monitor the supervisor just forked: where to wait for
 * requests and to send its notes. */
void hut_pool_child_init(int listen_fd, int note_fd);

/* pool_child.c: the machine ready, says so and waits for a request;
 * returns its options (argv[0] is a name, as for getopt) with stdio the
 * client's. */
void hut_pool_take_request(struct hut_vm *vm, int *argc, char ***argv);
/* Before the sandbox: the thread that forwards the client's signals and
 * ends the guest when the client goes. */
void hut_pool_watch_client(struct hut_vm *vm);
/* The status goes to the client (hut_end's report, once a request is
 * taken; the connection is kept and written to by the module "pool"). */
void hut_pool_report(int status);

/* pool_run.c: hut-monitor --pool-run SOCKET [OPTIONS]: the client. */
_Noreturn void hut_pool_run(int argc, char **argv);

#endif
