/*
 * Guest-physical addresses for the monitor. The monitor reads and writes
 * guest memory by guest-physical address; with one process every address
 * is its own (identity), but a process's copy-on-write copies live in other
 * frames (mem/mm.c), so what the libos hands the monitor of an app's
 * buffers is translated page by page. The memory layer installs the
 * translation when the second process appears; until then this costs one
 * test per hypercall.
 */
#include "base.h"

hut_phys_fn hut_phys_of;
hut_phys_own_fn hut_phys_own;

const struct hut_iovec *hut_iov_for_monitor(const struct hut_iovec *iov, int *n,
					    struct hut_iovec out[HUT_PHYS_IOV_MAX])
{
	if (!hut_phys_of)
		return iov;
	*n = hut_iov_phys(iov, *n, out, HUT_PHYS_IOV_MAX);
	return out;
}

int hut_iov_phys_writable(const struct hut_iovec *iov, int n, struct hut_iovec *out, int max)
{
	if (hut_phys_own)
		hut_phys_own(iov, n);
	return hut_iov_phys(iov, n, out, max);
}

int hut_iov_phys(const struct hut_iovec *iov, int n, struct hut_iovec *out, int max)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		uint64_t va = iov[i].base, left = iov[i].len;
		while (left) {
			uint64_t in_page = HUT_PAGE_SIZE - (va & (HUT_PAGE_SIZE - 1));
			uint64_t len = left < in_page ? left : in_page;
			uint64_t pa =
				hut_phys_of(va & ~(HUT_PAGE_SIZE - 1)) + (va & (HUT_PAGE_SIZE - 1));
			if (m > 0 && out[m - 1].base + out[m - 1].len == pa) {
				out[m - 1].len += len; /* contiguous with the last piece */
			} else {
				if (m == max)
					return m; /* a short transfer, which callers allow */
				out[m++] = (struct hut_iovec){pa, len};
			}
			va += len;
			left -= len;
		}
	}
	return m;
}
