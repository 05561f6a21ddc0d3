/*
 * libos internals: what the syscall modules share. The libos runs at CPL3
 * between the app's `syscall` and its return, on its own stack, without SSE.
 */
#ifndef HUT_LIBOS_H
#define HUT_LIBOS_H

#include <hut/abi.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What hut_syscall_entry saves, lowest address first, at the top of the
 * thread's libos stack: with hut_user_rsp, all of the app's registers but
 * %rcx and %r11 (which the instruction replaced by rip and rflags). */
struct hut_syscall_frame {
	uint64_t nr;
	uint64_t a0, a1, a2, a3, a4, a5; /* rdi rsi rdx r10 r8 r9 */
	uint64_t rflags, rip;
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t via; /* 1: the syscall instruction; 0: a call to hut_syscall_dispatch */
};

/* Every syscall handler has this shape; unused arguments are ignored. */
#define HUT_SYSCALL(name)                                                                          \
	long hut_sys_##name(long a0 __attribute__((unused)), long a1 __attribute__((unused)),      \
			    long a2 __attribute__((unused)), long a3 __attribute__((unused)),      \
			    long a4 __attribute__((unused)), long a5 __attribute__((unused)))
typedef long (*hut_syscall_fn)(long, long, long, long, long, long);

extern const struct hut_boot_info *hut_boot_info; /* NULL when running as a Linux process */
extern uint64_t hut_tsc_boot, hut_tsc_main;
/* entry.S: syscalls that trapped (MSR_LSTAR) rather than called the
 * dispatcher; the exit hypercall reports it. */
extern uint64_t hut_syscalls_trapped;

/* The doorbell: store the argument struct's address to the hypercall's slot.
 * The "memory" clobbers order the struct's stores before, and the monitor's
 * results after. */
static inline void hut_hypercall(unsigned nr, void *arg)
{
	volatile uint64_t *slot = (volatile uint64_t *)(HUT_HYPERCALL_GPA + 8 * nr);
	__asm__ volatile("movq %1, %0" : "=m"(*slot) : "r"((uint64_t)arg) : "memory");
}

static inline uint64_t hut_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* string.c: the libos cannot use the app's libc. */
void *hut_memcpy(void *dst, const void *src, size_t n);
void *hut_memset(void *dst, int c, size_t n);
void *hut_memmove(void *dst, const void *src, size_t n);
size_t hut_strlen(const char *s);
int hut_memcmp(const void *a, const void *b, size_t n);
int hut_streq(const char *a, const char *b);
char *hut_append(char *p, char *end, const char *s); /* copies s, never past end */
char *hut_append_u64(char *p, char *end, uint64_t v);

/* console.c */
void hut_console_print(int fd, const char *s);

/* process.c: the exit hypercall alone, and the process's end (its sockets
 * closed first, as Linux closes a dying process's fds). */
_Noreturn void hut_exit(uint32_t kind, int status);
_Noreturn void hut_exit_process(uint32_t kind, int status);

/* signal.c */
void hut_signal_raise(int sig);	       /* to the process: any thread not blocking it */
void hut_signal_raise_thread(int sig); /* to the running thread (SIGPIPE) */
/* ppoll, pselect6, epoll_pwait: the mask for the wait; returns the old one. */
uint64_t hut_signal_swap_mask(uint64_t mask);
/* At syscall return: if a handler is due, sets the frame up to enter it and
 * returns what %rax should hold; else returns result. */
long hut_signal_deliver(struct hut_syscall_frame *f, long result);
/* rt_sigreturn: restores the frame a handler was entered with. */
long hut_signal_return(struct hut_syscall_frame *f);
/* signal_box.c: the page shared with the monitor (see include/hut/abi.h). */
void hut_signal_box_init(const struct hut_boot_info *bi);
void hut_signal_box_take(void); /* raises what came from outside */
void hut_signal_box_publish(uint64_t caught, uint64_t ignored, uint64_t blocked);

/* The modules' start-up, called once by hut_boot(). */
void hut_memory_init(const struct hut_boot_info *bi);
void hut_time_init(const struct hut_boot_info *bi);
void hut_random_init(const struct hut_boot_info *bi);
void hut_random_fill(void *buf, size_t len);
uint64_t hut_time_since_boot_ns(void);
/* The network device's events counter now (0 without one): a sleep that
 * does not wait for the network passes it to the poll hypercall. */
uint32_t hut_net_events_now(void);
struct timespec hut_realtime(void); /* time.c: CLOCK_REALTIME now */

/* memory.c: pages of the arena for the libos's own use (zeroed). */
void *hut_pages_alloc(uint64_t count);
void hut_pages_free(void *p, uint64_t count);
uint64_t hut_pages_total(void);
uint64_t hut_pages_free_count(void);
long hut_anon_map(uint64_t addr, uint64_t len, long flags);

/* kalloc.c: small objects for the libos; zeroed; free with the same size. */
void *hut_kalloc(size_t n);
void hut_kfree(void *p, size_t n);
char *hut_kstrndup(const char *s, size_t n);

/* user.c: the app's memory, checked before the libos touches it for the app. */
int hut_user_readable(const void *p, size_t len);
int hut_user_writable(void *p, size_t len);
long hut_user_string(const char *s, char *buf, size_t size); /* length, -EFAULT, -ENAMETOOLONG */

#endif
