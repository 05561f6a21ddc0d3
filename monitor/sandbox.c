/*
 * The sandbox: once the machine is built, the monitor only runs the vCPU and
 * serves hypercalls. A guest that found a bug in that code should gain no
 * more than that code needs, so before the first KVM_RUN we drop every fd
 * but stdio and the vCPU, forbid new privileges, and load a seccomp filter
 * that kills the whole process on any syscall outside a short allow-list.
 */
#include "monitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Closes every fd except stdin/stdout/stderr and keep. The kvm and VM fds
 * are not needed once the vCPU exists (the run loop, hypercalls and crash
 * reports only use the vCPU fd); the image file is mmap'd and its fd closed. */
static void close_other_fds(struct hut_vm *vm, int keep)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot list /proc/self/fd (%s)",
			 strerror(errno));
	int dfd = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd <= 2 || fd == keep || fd == dfd)
			continue;
		close((int)fd);
	}
	closedir(d);
	vm->kvm_fd = vm->vm_fd = -1;
}

static void allow(struct hut_vm *vm, scmp_filter_ctx ctx, int nr, unsigned n,
		  const struct scmp_arg_cmp *args)
{
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, args);
	if (r < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot add a seccomp rule (%s)",
			 strerror(-r));
}

/* ioctl(vcpu_fd, request, ...) for exactly this request. */
static void allow_vcpu_ioctl(struct hut_vm *vm, scmp_filter_ctx ctx, unsigned long request)
{
	const struct scmp_arg_cmp args[] = {
		SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)vm->vcpu_fd),
		/* The kernel takes the request as a 32-bit int; compare those bits. */
		SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)(uint32_t)request),
	};
	allow(vm, ctx, SCMP_SYS(ioctl), 2, args);
}

/* write/writev to stdout or stderr only. */
static void allow_stdio(struct hut_vm *vm, scmp_filter_ctx ctx, int nr)
{
	for (int fd = 1; fd <= 2; fd++) {
		const struct scmp_arg_cmp arg = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd);
		allow(vm, ctx, nr, 1, &arg);
	}
}

/* The allow-list, measured with strace over every app, --timeout and
 * --trace-boot (see tests/integration/sandbox.sh). */
static void add_rules(struct hut_vm *vm, scmp_filter_ctx ctx)
{
	allow_vcpu_ioctl(vm, ctx, KVM_RUN);       /* the run loop */
	allow_vcpu_ioctl(vm, ctx, KVM_GET_REGS);  /* crash report: register dump */
	allow_vcpu_ioctl(vm, ctx, KVM_GET_SREGS); /* crash report: cr2; set-fs hypercall */
	allow_vcpu_ioctl(vm, ctx, KVM_SET_SREGS); /* set-fs hypercall */
	allow_stdio(vm, ctx, SCMP_SYS(write));    /* stdio: messages, fflush */
	allow_stdio(vm, ctx, SCMP_SYS(writev));   /* console hypercall */
	allow(vm, ctx, SCMP_SYS(nanosleep), 0, NULL);       /* poll hypercall */
	allow(vm, ctx, SCMP_SYS(clock_nanosleep), 0, NULL); /* glibc's nanosleep */
	allow(vm, ctx, SCMP_SYS(clock_gettime), 0, NULL);   /* --trace-boot, if no vDSO */
	allow(vm, ctx, SCMP_SYS(rt_sigreturn), 0, NULL);    /* return from the SIGALRM handler */
	allow(vm, ctx, SCMP_SYS(exit_group), 0, NULL);      /* exit() */
}

/* HUT_SANDBOX_SELFTEST=1: a syscall the filter forbids, to prove it kills. */
static void selftest(void)
{
	const char *s = getenv("HUT_SANDBOX_SELFTEST");
	if (s && !strcmp(s, "1"))
		syscall(SYS_getppid);
}

void hut_sandbox_enter(struct hut_vm *vm)
{
	close_other_fds(vm, vm->vcpu_fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: PR_SET_NO_NEW_PRIVS failed (%s)",
			 strerror(errno));
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: seccomp_init failed");
	add_rules(vm, ctx);
	/* The context is never released: free() could hand memory back with
	 * munmap or brk, which the loaded filter forbids. */
	int r = seccomp_load(ctx);
	if (r < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot load the seccomp filter (%s)",
			 strerror(-r));
	selftest();
}
