/*
 * threads: pthreads as a program uses them, each check printing a line that
 * does not depend on timing or thread ids, so a Linux process and an
 * appliance print the same bytes (tests/integration/threads.sh).
 *   threads            every check below, in turn
 *   threads crash      a thread dereferences NULL while main joins: 139
 *   threads exit N     a thread calls exit(N) while main waits: status N
 *   threads many N     N short-lived threads in a row, memory bounded
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

/* linux/futex.h's values; musl's headers have none. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE 128

#define WORKERS 8
#define ROUNDS 2000

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s\n", what);
		exit(1);
	}
}

/* --- N workers: a mutex, a barrier, pthread_join results ------------------- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static _Thread_local long tls_value = -1;

static void *worker(void *arg)
{
	long id = (long)arg;
	check(tls_value == -1, "a new thread's TLS starts at its initial value");
	tls_value = id;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 500 == 0)
			sched_yield();
	}
	int serial = pthread_barrier_wait(&barrier);
	check(counter == (long)WORKERS * ROUNDS, "every increment before the barrier");
	check(tls_value == id, "TLS kept per thread");
	return (void *)(id * id + (serial == PTHREAD_BARRIER_SERIAL_THREAD ? 1000000 : 0));
}

static void workers(void)
{
	pthread_t t[WORKERS];
	pthread_barrier_init(&barrier, NULL, WORKERS);
	tls_value = 99;
	for (long i = 0; i < WORKERS; i++)
		check(pthread_create(&t[i], NULL, worker, (void *)i) == 0, "pthread_create");
	long sum = 0;
	for (int i = 0; i < WORKERS; i++) {
		void *r;
		check(pthread_join(t[i], &r) == 0, "pthread_join");
		sum += (long)r;
	}
	printf("workers: counter %ld, join results %ld, main's TLS %ld\n", counter, sum, tls_value);
}

/* --- a bounded producer/consumer queue: mutex and two condition variables --- */
#define QSIZE 4
#define ITEMS 3000
static struct {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full;
	int buf[QSIZE], head, len, done_producers;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

static void *producer(void *arg)
{
	int base = (int)(long)arg;
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q.m);
		while (q.len == QSIZE)
			pthread_cond_wait(&q.not_full, &q.m);
		q.buf[(q.head + q.len++) % QSIZE] = base + i;
		pthread_cond_signal(&q.not_empty);
		pthread_mutex_unlock(&q.m);
	}
	pthread_mutex_lock(&q.m);
	q.done_producers++;
	pthread_cond_broadcast(&q.not_empty);
	pthread_mutex_unlock(&q.m);
	return NULL;
}

static atomic_long consumed;

static void *consumer(void *arg)
{
	long sum = 0;
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&q.m);
		while (q.len == 0 && q.done_producers < 2)
			pthread_cond_wait(&q.not_empty, &q.m);
		if (q.len == 0) {
			pthread_mutex_unlock(&q.m);
			break;
		}
		sum += q.buf[q.head];
		q.head = (q.head + 1) % QSIZE;
		q.len--;
		atomic_fetch_add(&consumed, 1);
		pthread_cond_signal(&q.not_full);
		pthread_mutex_unlock(&q.m);
	}
	return (void *)sum;
}

static void queue(void)
{
	pthread_t p[2], c[2];
	pthread_create(&p[0], NULL, producer, (void *)0L);
	pthread_create(&p[1], NULL, producer, (void *)100000L);
	pthread_create(&c[0], NULL, consumer, NULL);
	pthread_create(&c[1], NULL, consumer, NULL);
	long total = 0;
	for (int i = 0; i < 2; i++) {
		void *r;
		pthread_join(p[i], NULL);
		pthread_join(c[i], &r);
		total += (long)r;
	}
	long want_sum = 2L * ITEMS * (ITEMS + 1) / 2 + 100000L * ITEMS;
	printf("queue: %ld items consumed, their sum %s\n", atomic_load(&consumed),
	       total == want_sum ? "right" : "WRONG");
}

/* --- pthread_cancel at cancellation points ---------------------------------- */
static int cleanup_ran;
static pthread_mutex_t cancel_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cancel_cv = PTHREAD_COND_INITIALIZER;
static sem_t cancel_started;

static void on_cleanup(void *arg)
{
	cleanup_ran += (int)(long)arg;
}

static void unlock(void *m)
{
	pthread_mutex_unlock(m);
}

static void *wait_in_cond(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cancel_m);
	pthread_cleanup_push(unlock, &cancel_m);
	pthread_cleanup_push(on_cleanup, (void *)1L);
	sem_post(&cancel_started);
	for (;;)
		pthread_cond_wait(&cancel_cv, &cancel_m);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *wait_in_read(void *arg)
{
	int fd = (int)(long)arg;
	char c;
	pthread_cleanup_push(on_cleanup, (void *)10L);
	sem_post(&cancel_started);
	for (;;)
		read(fd, &c, 1);
	pthread_cleanup_pop(0);
	return NULL;
}

static void cancel_one(void *(*fn)(void *), void *arg, const char *where)
{
	pthread_t t;
	void *r;
	sem_init(&cancel_started, 0, 0);
	pthread_create(&t, NULL, fn, arg);
	sem_wait(&cancel_started);
	usleep(20000); /* let it block */
	pthread_cancel(t);
	pthread_join(t, &r);
	printf("cancel in %s: %s, cleanup %d\n", where, r == PTHREAD_CANCELED ? "canceled" : "NOT",
	       cleanup_ran);
}

static void cancel(void)
{
	int fds[2];
	check(pipe(fds) == 0, "pipe");
	cancel_one(wait_in_cond, NULL, "pthread_cond_wait");
	check(pthread_mutex_trylock(&cancel_m) == 0, "the cleanup handler unlocked the mutex");
	pthread_mutex_unlock(&cancel_m);
	cancel_one(wait_in_read, (void *)(long)fds[0], "read of an empty pipe");
	close(fds[0]);
	close(fds[1]);
}

/* --- a detached thread, pthread_once, a semaphore ---------------------------- */
static sem_t detached_done;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs;

static void init_once(void)
{
	atomic_fetch_add(&once_runs, 1);
	sched_yield(); /* others arrive meanwhile and must wait */
}

static void *detached(void *arg)
{
	(void)arg;
	pthread_once(&once, init_once);
	sem_post(&detached_done);
	return NULL;
}

static void detached_once_semaphore(void)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sem_init(&detached_done, 0, 0);
	for (int i = 0; i < 4; i++) {
		pthread_t t;
		check(pthread_create(&t, &attr, detached, NULL) == 0, "detached pthread_create");
	}
	for (int i = 0; i < 4; i++)
		sem_wait(&detached_done);
	struct timespec soon;
	clock_gettime(CLOCK_REALTIME, &soon);
	soon.tv_nsec += 10000000;
	if (soon.tv_nsec >= 1000000000) {
		soon.tv_sec++;
		soon.tv_nsec -= 1000000000;
	}
	int r = sem_timedwait(&detached_done, &soon);
	printf("detached: 4 posted, pthread_once ran %d time(s), a 5th sem_timedwait: %s\n",
	       atomic_load(&once_runs), r == -1 && errno == ETIMEDOUT ? "ETIMEDOUT" : "??");
}

/* --- pipes between threads: back-pressure both ways -------------------------- */
#define PIPE_BYTES (1 << 20)

static void *pipe_writer(void *arg)
{
	int fd = (int)(long)arg;
	static unsigned char chunk[10000];
	for (long done = 0; done < PIPE_BYTES;) {
		long n = PIPE_BYTES - done < (long)sizeof chunk ? PIPE_BYTES - done
								: (long)sizeof chunk;
		for (long i = 0; i < n; i++)
			chunk[i] = (unsigned char)((done + i) * 7);
		long w = write(fd, chunk, (size_t)n);
		check(w == n, "a blocking write writes everything");
		done += w;
	}
	close(fd);
	return NULL;
}

static void pipes(void)
{
	int fds[2];
	pthread_t t;
	unsigned char buf[3000];
	long total = 0, bad = 0, n;
	check(pipe(fds) == 0, "pipe");
	pthread_create(&t, NULL, pipe_writer, (void *)(long)fds[1]);
	while ((n = read(fds[0], buf, sizeof buf)) > 0) {
		for (long i = 0; i < n; i++)
			bad += buf[i] != (unsigned char)((total + i) * 7);
		total += n;
	}
	pthread_join(t, NULL);
	close(fds[0]);
	printf("pipe between threads: %ld bytes, %ld wrong, then EOF\n", total, bad);
}

/* --- a thread that spins while another must progress ----------------------- */
static atomic_int stop_spinning;
static atomic_long spins;

/* Busy, but it reads the clock, a syscall in the appliance: where a
 * cooperative scheduler can take the vCPU back (docs/ARCHITECTURE.md). */
static void *spinner(void *arg)
{
	struct timespec ts;
	(void)arg;
	while (!atomic_load(&stop_spinning)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		atomic_fetch_add(&spins, 1);
	}
	return NULL;
}

static void *sleeper(void *arg)
{
	int *steps = arg;
	for (*steps = 0; *steps < 20; ++*steps)
		usleep(1000);
	atomic_store(&stop_spinning, 1);
	return NULL;
}

static void spin(void)
{
	pthread_t s, p;
	int steps;
	pthread_create(&s, NULL, spinner, NULL);
	pthread_create(&p, NULL, sleeper, &steps);
	pthread_join(p, NULL);
	pthread_join(s, NULL);
	printf("spin: the sleeper made %d steps while the spinner spun (%s)\n", steps,
	       atomic_load(&spins) > 0 ? "it did" : "it did NOT");
}

/* --- signals: to one thread, per-thread masks, thread ids --------------------- */
static pthread_t target;
static atomic_int handled_in_target, handled_elsewhere;
static sem_t target_go;

static void on_usr1(int sig)
{
	(void)sig;
	if (pthread_equal(pthread_self(), target))
		atomic_fetch_add(&handled_in_target, 1);
	else
		atomic_fetch_add(&handled_elsewhere, 1);
}

static void *signal_target(void *arg)
{
	sigset_t set;
	long ids_differ = syscall(SYS_gettid) != getpid();
	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (sem_wait(&target_go) != 0) /* a handler interrupts it: EINTR */
		;
	return (void *)ids_differ;
}

/* A handler interrupts a sleep: EINTR, and what was left of it. */
static void *sleep_target(void *arg)
{
	struct timespec req = {5, 0}, rem = {0, 0};
	(void)arg;
	sem_post(&target_go);
	int r = nanosleep(&req, &rem);
	return (void *)(long)(r == -1 && errno == EINTR && rem.tv_sec >= 3 && rem.tv_sec < 5);
}

static void signals(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigset_t mine;
	void *ids_differ;
	sigaction(SIGUSR1, &sa, NULL);
	sem_init(&target_go, 0, 0);
	pthread_create(&target, NULL, signal_target, NULL);
	usleep(20000);
	pthread_kill(target, SIGUSR1);
	usleep(20000);
	sem_post(&target_go);
	pthread_join(target, &ids_differ);
	pthread_sigmask(SIG_BLOCK, NULL, &mine);
	printf("pthread_kill: handled in the target %d, elsewhere %d; a thread's tid %s the pid, "
	       "main's %s; SIGUSR2 blocked by the thread, in main: %s\n",
	       atomic_load(&handled_in_target), atomic_load(&handled_elsewhere),
	       ids_differ ? "is not" : "IS", syscall(SYS_gettid) == getpid() ? "is" : "IS NOT",
	       sigismember(&mine, SIGUSR2) ? "yes" : "no");
	void *interrupted;
	pthread_create(&target, NULL, sleep_target, NULL);
	sem_wait(&target_go);
	usleep(20000);
	pthread_kill(target, SIGUSR1);
	pthread_join(target, &interrupted);
	printf("pthread_kill to a sleeping thread: handled there %d time(s), nanosleep %s\n",
	       atomic_load(&handled_in_target) - 1,
	       interrupted ? "gave EINTR and the time left" : "was NOT interrupted");
}

/* --- the futex syscall's answers ---------------------------------------------- */
static const char *errno_name(long r)
{
	if (r >= 0)
		return "ok";
	switch (errno) {
	case EAGAIN:
		return "EAGAIN";
	case EFAULT:
		return "EFAULT";
	case EINVAL:
		return "EINVAL";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ENOSYS:
		return "ENOSYS";
	default:
		return "other";
	}
}

static int futex_word = 5, requeue_from, requeue_to;

static void *futex_waiter(void *arg)
{
	return (void *)syscall(SYS_futex, arg, FUTEX_WAIT | FUTEX_PRIVATE, 0, NULL, NULL, 0);
}

static void futexes(void)
{
	struct timespec short_ts = {0, 5000000}, bad_ts = {0, 2000000000};
	printf("futex: value mismatch %s, bad address %s, unaligned %s, timeout %s, bad timeout "
	       "%s, "
	       "bitset 0 %s\n",
	       errno_name(syscall(SYS_futex, &futex_word, FUTEX_WAIT, 4, NULL, NULL, 0)),
	       errno_name(syscall(SYS_futex, (int *)8, FUTEX_WAIT, 0, NULL, NULL, 0)),
	       errno_name(
		       syscall(SYS_futex, (char *)&futex_word + 1, FUTEX_WAIT, 5, NULL, NULL, 0)),
	       errno_name(syscall(SYS_futex, &futex_word, FUTEX_WAIT | FUTEX_PRIVATE, 5, &short_ts,
				  NULL, 0)),
	       errno_name(syscall(SYS_futex, &futex_word, FUTEX_WAIT, 5, &bad_ts, NULL, 0)),
	       errno_name(syscall(SYS_futex, &futex_word, FUTEX_WAIT_BITSET, 5, NULL, NULL, 0)));
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, futex_waiter, &requeue_from);
	usleep(30000); /* all three wait */
	long mismatch = syscall(SYS_futex, &requeue_from, FUTEX_CMP_REQUEUE, 1, 2, &requeue_to, 7);
	long moved = syscall(SYS_futex, &requeue_from, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE, 1, 2,
			     &requeue_to, 0);
	usleep(10000);
	long on_from =
		syscall(SYS_futex, &requeue_from, FUTEX_WAKE | FUTEX_PRIVATE, 10, NULL, NULL, 0);
	long on_to = syscall(SYS_futex, &requeue_to, FUTEX_WAKE | FUTEX_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("futex: cmp_requeue with a wrong value %s; woke and moved %ld; then %ld left on the "
	       "first word, %ld on the second\n",
	       errno_name(mismatch), moved, on_from, on_to);
}

/* --- many short-lived threads; memory stays bounded --------------------------- */
/* Bytes in use: the process's resident set, or in the appliance (no /proc)
 * the libos arena's pages in use, as sysinfo reports them there. */
static long memory_in_use(void)
{
	long pages;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		int ok = fscanf(f, "%*ld %ld", &pages) == 1;
		fclose(f);
		return ok ? pages * 4096 : -1;
	}
	struct sysinfo si;
	sysinfo(&si);
	return (long)(si.totalram - si.freeram);
}

static void *short_lived(void *arg)
{
	return (void *)((long)arg + 1);
}

static void many(int n)
{
	long at_100 = 0, sum = 0;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, short_lived, (void *)i) != 0) {
			printf("many: pthread_create failed at thread %ld\n", i);
			exit(1);
		}
		pthread_join(t, &r);
		sum += (long)r;
		if (i == 99)
			at_100 = memory_in_use();
	}
	long growth = memory_in_use() - at_100;
	printf("many: %d threads created and joined, results sum %ld; memory from thread 100 to "
	       "%d grew %s 1 MiB\n",
	       n, sum, n, growth < (1 << 20) ? "under" : "OVER");
}

/* --- crashes and exits from a thread ------------------------------------------- */
static void *crasher(void *arg)
{
	usleep(10000);
	return (void *)(long)*(volatile int *)arg;
}

static void *exiter(void *arg)
{
	usleep(10000);
	exit((int)(long)arg);
}

static void die_in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	pthread_create(&t, NULL, fn, arg);
	pthread_join(t, NULL);
	puts("main: the thread came back");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "crash") == 0)
		die_in_thread(crasher, NULL);
	if (argc > 2 && strcmp(argv[1], "exit") == 0)
		die_in_thread(exiter, (void *)(long)atoi(argv[2]));
	if (argc > 2 && strcmp(argv[1], "many") == 0) {
		many(atoi(argv[2]));
		return 0;
	}
	if (argc > 1)
		return 2;
	workers();
	queue();
	cancel();
	detached_once_semaphore();
	pipes();
	spin();
	signals();
	futexes();
	many(1000);
	return 0;
}
