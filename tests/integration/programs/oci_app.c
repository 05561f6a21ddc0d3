/*
 * oci_app: what the hut-oci tests (oci-containerd.sh) and the signals test
 * (signals-outside.sh) run, as a process and as an appliance.
 *   exit N       prints "exit N", exits N
 *   crash        writes through a NULL pointer (SIGSEGV, 139)
 *   env NAME     prints NAME=VALUE or "NAME unset"
 *   args A...    prints each argument on a line
 *   cat FILE     prints FILE (a volume's file)
 *   hostname [NEW]  prints "hostname NAME" (gethostname, which is uname's
 *                nodename); with NEW, sets it and prints it again
 * Signal modes: each prints "MODE: waiting" once it is ready for a signal.
 *   term         a SIGTERM handler that says so; then waits for good (SIGKILL)
 *   sleep        a SIGTERM handler; a 60 s nanosleep ends early with EINTR,
 *                says so and whether time was left; exits 3
 *   pause        a SIGTERM handler; pause() returns -1 EINTR; exits 4
 *   wait         no handler: sleeps for good (SIGTERM ends it, 143; SIGINT 130)
 *   ignore       SIGTERM ignored, a SIGUSR1 handler that says so: sleeps
 *                for good (only SIGKILL ends it)
 *   spin         no handler, spins without a syscall (SIGTERM ends it, 143)
 *   spincatch    a SIGTERM handler sets a flag the loop reads, spinning
 *                without a syscall; says so once it sees it; exits 6
 *   read         no handler: reads a line from stdin and prints it
 *                (SIGTERM while it waits ends it, 143); in every read
 *                mode SIGUSR2 is ignored (it must not end the read)
 *   readint      a SIGTERM handler: the read it interrupts returns -1
 *                EINTR; says so, exits 8
 *   readrestart  a SIGTERM handler with SA_RESTART: the read goes on after
 *                it and prints the line that comes next; exits 9
 *   relay N      N rounds of: "relay: I waiting", then a wait (sigsuspend,
 *                SIGUSR1 blocked outside it: no signal can slip between
 *                the check and the wait) until SIGUSR1 number I came;
 *                then "relay: N signals", exits 7
 * A terminal (oci-podman.sh, oci-containerd.sh through a pty):
 *   tty          says whether stdin and stdout are terminals, reads a line
 *                and echoes it, then waits with a SIGINT handler (Ctrl-C)
 *                that says so; exits 5 once it ran
 *   winch RxC    prints the terminal's size, waits for SIGWINCHes (a
 *                handler) until the size is R rows and C columns (a
 *                runtime may resize its pty first, to the size it already
 *                had), prints it; exits 10
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_term(int sig)
{
	static const char term[] = "handler: SIGTERM\n", usr1[] = "handler: SIGUSR1\n";
	got = 1;
	if (sig == SIGTERM)
		write(1, term, sizeof term - 1);
	else
		write(1, usr1, sizeof usr1 - 1);
}

static void handle_term(void)
{
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
}

static void say_waiting(const char *mode)
{
	printf("%s: waiting\n", mode);
	fflush(stdout);
}

/* Blocks sig; the mask before, for sigsuspend. Blocked from before a
 * check of what its handler sets to sigsuspend's atomic unblocking, as a
 * correct program waits (a pause() loop loses a signal that comes between
 * its check of the flag and the pause). */
static sigset_t block_signal(int sig)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, sig);
	sigprocmask(SIG_BLOCK, &block, &old);
	return old;
}

/* Says it waits, then waits until a handler of sig set got. */
static void wait_for_flag(int sig, const char *mode)
{
	sigset_t old = block_signal(sig);
	say_waiting(mode);
	while (!got)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile sig_atomic_t relayed;

static void on_relay(int sig)
{
	(void)sig;
	relayed++;
}

/* Each round's signal is sent once its line is out: a signal lost by the
 * appliance between its last look and its sleep hangs this mode. */
static int relay(int rounds)
{
	struct sigaction sa = {.sa_handler = on_relay};
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t old = block_signal(SIGUSR1);
	for (int i = 1; i <= rounds; i++) {
		printf("relay: %d waiting\n", i);
		fflush(stdout);
		while (relayed < i)
			sigsuspend(&old);
	}
	printf("relay: %d signals\n", (int)relayed);
	return 7;
}

static void on_int(int sig)
{
	static const char msg[] = "handler: SIGINT\n";
	(void)sig;
	got = 1;
	write(1, msg, sizeof msg - 1);
}

static int tty(void)
{
	struct sigaction sa = {.sa_handler = on_int};
	char line[256];
	sigaction(SIGINT, &sa, NULL);
	printf("tty: stdin %s, stdout %s\n", isatty(0) ? "a terminal" : "not a terminal",
	       isatty(1) ? "a terminal" : "not a terminal");
	say_waiting("tty-line");
	if (!fgets(line, sizeof line, stdin)) {
		printf("tty: no line (%s)\n", feof(stdin) ? "end of file" : strerror(errno));
		return 1;
	}
	line[strcspn(line, "\n")] = 0;
	printf("echo: %s\n", line);
	wait_for_flag(SIGINT, "tty-ctrl-c");
	return 5;
}

static _Noreturn void sleep_forever(const char *mode)
{
	say_waiting(mode);
	for (;;)
		sleep(1);
}

static int cat(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[256];
	size_t n;
	if (!f) {
		perror(path);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

static void on_winch(int sig)
{
	(void)sig;
	got = 1;
}

/* The terminal's size as "RxC" into buf (the error's text if none). */
static const char *tty_size(char *buf, size_t n)
{
	struct winsize ws = {0};
	if (ioctl(1, TIOCGWINSZ, &ws) != 0)
		return strerror(errno);
	snprintf(buf, n, "%ux%u", ws.ws_row, ws.ws_col);
	return buf;
}

/* A terminal resized under it: SIGWINCH, then TIOCGWINSZ says the new size. */
static int winch(const char *want)
{
	struct sigaction sa = {.sa_handler = on_winch};
	char size[32];
	sigaction(SIGWINCH, &sa, NULL);
	sigset_t old = block_signal(SIGWINCH);
	printf("winch: at start %s\n", tty_size(size, sizeof size));
	say_waiting("winch");
	do {
		while (!got)
			sigsuspend(&old);
		got = 0;
	} while (strcmp(tty_size(size, sizeof size), want));
	printf("winch: after SIGWINCH %s\n", size);
	return 10;
}

static int interrupted_sleep(void)
{
	struct timespec req = {60, 0}, rem = {0, 0};
	handle_term();
	say_waiting("sleep");
	int r = nanosleep(&req, &rem);
	printf("nanosleep: %d %s, time left: %s\n", r, r ? strerror(errno) : "",
	       rem.tv_sec > 0 || rem.tv_nsec > 0 ? "yes" : "no");
	return 3;
}

static int interrupted_pause(void)
{
	handle_term();
	say_waiting("pause");
	int r = pause();
	printf("pause: %d %s, handler ran: %d\n", r, strerror(errno), (int)got);
	return 4;
}

/* A read of stdin that a signal comes to: ended by it (no handler),
 * interrupted (EINTR) or restarted (SA_RESTART), as Linux does. */
static int interrupted_read(const char *mode)
{
	struct sigaction sa = {.sa_handler = on_term};
	char line[256];
	signal(SIGUSR2, SIG_IGN);
	if (strcmp(mode, "read")) {
		sa.sa_flags = strcmp(mode, "readrestart") ? 0 : SA_RESTART;
		sigaction(SIGTERM, &sa, NULL);
	}
	say_waiting(mode);
	ssize_t r = read(0, line, sizeof line - 1);
	if (r < 0) {
		printf("read: -1 %s, handler ran: %d\n", strerror(errno), (int)got);
		return 8;
	}
	line[r] = 0;
	printf("read: %s", line);
	return strcmp(mode, "read") ? 9 : 0;
}

static int signal_mode(const char *mode)
{
	if (!strncmp(mode, "read", 4))
		return interrupted_read(mode);
	if (!strcmp(mode, "term")) {
		handle_term();
		say_waiting(mode);
		for (;;)
			pause();
	}
	if (!strcmp(mode, "sleep"))
		return interrupted_sleep();
	if (!strcmp(mode, "pause"))
		return interrupted_pause();
	if (!strcmp(mode, "wait"))
		sleep_forever(mode);
	if (!strcmp(mode, "ignore")) {
		signal(SIGTERM, SIG_IGN);
		signal(SIGUSR1, on_term);
		sleep_forever(mode);
	}
	if (!strcmp(mode, "spincatch")) {
		handle_term();
		say_waiting(mode);
		while (!got) /* no syscall */
			;
		printf("spincatch: the loop saw the handler's flag\n");
		return 6;
	}
	if (!strcmp(mode, "spin")) {
		say_waiting(mode);
		for (;;)
			got = 0; /* a store each turn, and no syscall */
	}
	fprintf(stderr, "oci_app: unknown mode %s\n", mode);
	return 2;
}

/* gethostname, then (with name) sethostname and gethostname again. */
static int hostname(const char *name)
{
	char buf[128];
	if (gethostname(buf, sizeof buf) != 0) {
		perror("gethostname");
		return 1;
	}
	printf("hostname %s\n", buf);
	if (!name)
		return 0;
	if (sethostname(name, strlen(name)) != 0) {
		perror("sethostname");
		return 1;
	}
	gethostname(buf, sizeof buf);
	printf("hostname %s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "exit";
	if (!strcmp(mode, "exit")) {
		int n = argc > 2 ? atoi(argv[2]) : 0;
		printf("exit %d\n", n);
		return n;
	}
	if (!strcmp(mode, "crash")) {
		int *volatile null = NULL;
		return *null;
	}
	if (!strcmp(mode, "env") && argc > 2) {
		const char *v = getenv(argv[2]);
		v ? printf("%s=%s\n", argv[2], v) : printf("%s unset\n", argv[2]);
		return 0;
	}
	if (!strcmp(mode, "args")) {
		for (int i = 2; i < argc; i++)
			printf("arg %s\n", argv[i]);
		return 0;
	}
	if (!strcmp(mode, "cat") && argc > 2)
		return cat(argv[2]);
	if (!strcmp(mode, "hostname"))
		return hostname(argc > 2 ? argv[2] : NULL);
	if (!strcmp(mode, "tty"))
		return tty();
	if (!strcmp(mode, "winch") && argc > 2)
		return winch(argv[2]);
	if (!strcmp(mode, "relay") && argc > 2)
		return relay(atoi(argv[2]));
	return signal_mode(mode);
}
