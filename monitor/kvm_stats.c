/*
 * KVM's own counters for the vCPU (its binary statistics, Linux 5.14+), for
 * --trace-boot: how many of the guest's page faults KVM served by mapping a
 * page (pf_fixed: not those that were MMIO, the hypercalls' doorbells among
 * them, nor those it passed to the guest) and how many exits it took, those
 * it ended in the kernel included. Neither reaches the monitor otherwise,
 * and where KVM shadows the guest's page tables (kvm-pvm; kvm_amd or
 * kvm_intel without NPT/EPT) each fault costs tens of microseconds of a
 * boot: the count says how many a change saved, on any host, nested ones
 * too, where timings mean nothing.
 *
 * The statistics fd is opened once the vCPU exists and kept past the
 * sandbox (the vCPU thread may pread it); counts are since the guest's
 * first run of this boot or request (a pool's warm-up before it excluded).
 * The fd's contents are the host kernel's, still checked against its size.
 */
#include "monitor.h"

#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static struct {
	int fd;
	pthread_t reader; /* the vCPU thread: only its filter allows the pread */
	uint64_t offset[HUT_KVM_STATS];
	uint64_t base[HUT_KVM_STATS];
} stats = {.fd = -1};

#define NAME_MAX_SIZE 256 /* KVM's names are at most 48 bytes (KVM_STATS_NAME_SIZE) */

static const char *const names[HUT_KVM_STATS] = {"pf_fixed", "exits"};

int hut_kvm_stats_fd(void)
{
	return stats.fd;
}

static bool read_at(void *buf, size_t len, uint64_t offset)
{
	return pread(stats.fd, buf, len, (off_t)offset) == (ssize_t)len;
}

/* Finds each counter's offset in the data block from the descriptors;
 * false if one is missing (an older or another KVM). */
static bool find_counters(const struct kvm_stats_header *h)
{
	size_t desc_size = sizeof(struct kvm_stats_desc) + h->name_size;
	/* On the stack, not malloc'd: see sandbox.c's programs. */
	_Alignas(struct kvm_stats_desc) uint8_t buf[sizeof(struct kvm_stats_desc) + NAME_MAX_SIZE];
	struct kvm_stats_desc *d = (struct kvm_stats_desc *)buf;
	int found = 0;
	for (uint32_t i = 0; i < h->num_desc; i++) {
		if (!read_at(d, desc_size, h->desc_offset + (uint64_t)i * desc_size))
			break;
		d->name[h->name_size - 1] = 0;
		for (int k = 0; k < HUT_KVM_STATS; k++)
			if (d->size >= 1 && !strcmp(d->name, names[k])) {
				stats.offset[k] = h->data_offset + (uint64_t)d->offset;
				found |= 1 << k;
			}
	}
	return found == (1 << HUT_KVM_STATS) - 1;
}

void hut_kvm_stats_open(const struct hut_vm *vm)
{
	stats.fd = ioctl(vm->vcpu_fd, KVM_GET_STATS_FD, 0);
	if (stats.fd < 0)
		return;
	struct kvm_stats_header h;
	if (!read_at(&h, sizeof h, 0) || h.name_size == 0 || h.name_size > NAME_MAX_SIZE ||
	    !find_counters(&h)) {
		close(stats.fd);
		stats.fd = -1;
	}
}

static bool read_counters(uint64_t out[HUT_KVM_STATS])
{
	if (stats.fd < 0 || !pthread_equal(pthread_self(), stats.reader))
		return false;
	for (int k = 0; k < HUT_KVM_STATS; k++)
		if (!read_at(&out[k], sizeof out[k], stats.offset[k]))
			return false;
	return true;
}

/* Under the sandbox: an fd that cannot be read is left open, unused (the
 * filter allows no close). */
void hut_kvm_stats_start(void)
{
	stats.reader = pthread_self();
	if (!read_counters(stats.base))
		stats.fd = -1;
}

bool hut_kvm_stats_read(uint64_t out[HUT_KVM_STATS])
{
	if (!read_counters(out))
		return false;
	for (int k = 0; k < HUT_KVM_STATS; k++)
		out[k] -= stats.base[k];
	return true;
}
