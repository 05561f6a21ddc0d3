/*
 * hut ABI: the contract between hut-monitor, the builder (hut) and the libos.
 *
 * One header, versioned. Bump HUT_ABI_VERSION on any incompatible change:
 * the monitor refuses images whose manifest carries another version.
 *
 * Structs here are shared memory between a hostile guest and the monitor:
 * fields are fixed-width, naturally aligned, and annotated IN (guest writes,
 * monitor reads and must validate) or OUT (monitor writes, guest reads).
 */
#ifndef HUT_ABI_H
#define HUT_ABI_H

#ifdef __ASSEMBLER__
#define HUT_U64(x) x
#else
#include <stdint.h>
#define HUT_U64(x) x##ull
#endif

/* 3: the CRC leaves out the ELF header's section-table fields;
 * 4: the network device (boot info net fields, rings, the net-kick hypercall);
 * 5: the signal box (signals from outside; boot info signals field);
 * 6: threads (the threads hypercall and table, for --core);
 * 7: the host name (boot info hostname, hut-monitor --hostname); the CRC
 *    covers the manifest too;
 * 8: preemption (the signal box's tick fields, the tick hypercall, boot
 *    flag HUT_BOOT_TICKS);
 * 9: the libos in a window of its own (HUT_LIBOS_VA), the signal box below
 *    the stack's guard page; the console ring (boot info console_ring, the
 *    console-kick hypercall); the signal box's procs_max; the release
 *    hypercall; the network device's tap is read only once the guest has
 *    posted RX buffers, and the guest kicks after posting its first ones
 * 10: the file ring (boot info file_ring, the file-kick hypercall, the poll
 *    hypercall's wait and file_events); snapshots (hut-monitor --snapshot/
 *    --restore): the poll hypercall's flags (HUT_POLL_WAIT_INPUT) and
 *    HUT_POLL_RESTORED, the ready hypercall
 * 11: stdin's readiness: the console-poll hypercall, the poll hypercall's
 *    HUT_POLL_STDIN */
#define HUT_ABI_VERSION 11

/* ---------------------------------------------------------------------------
 * Manifest note. The builder fills it after linking; it lives in a non-loaded
 * ELF section (so the CRC of the loadable bytes cannot cover itself), which
 * `strip` in all its forms keeps (a note that is not debug information);
 * the monitor finds it by section name wherever strip moved it.
 * ------------------------------------------------------------------------- */
#define HUT_NOTE_SECTION ".note.hut"
#define HUT_NOTE_NAME "hut"	       /* ELF note owner, namesz = 4 */
#define HUT_NOTE_TYPE_MANIFEST 1       /* ELF note type */
#define HUT_MANIFEST_MAGIC 0x4d545548u /* "HUTM" little-endian */

/* libos symbols the builder resolves into the manifest's entry points. */
#define HUT_SYM_BOOT_ENTRY "hut_boot_entry"
#define HUT_SYM_SYSCALL_ENTRY "hut_syscall_entry"
#define HUT_SYM_TRAP_ENTRY "hut_trap_entry"
/* Where `hut build` links the packed files: the manifest's files_gpa/size. */
#define HUT_SYM_FILES "hut_packed_files"
#define HUT_SYM_FILES_END "hut_packed_files_end"

#define HUT_TRAP_VECTORS 32 /* exception stubs, one per CPU exception vector */
#define HUT_TRAP_STRIDE 16  /* bytes between consecutive stubs */

#define HUT_NAME_MAX 32
#define HUT_HOSTNAME_MAX 72 /* Linux's 64 (HOST_NAME_MAX) and a NUL, padded */
#define HUT_DEVICE_NAME_MAX 16
#define HUT_DEVICES_MAX 8

#define HUT_MANIFEST_SIZE 288 /* sizeof(struct hut_manifest): the libos's placeholder note */

#ifndef __ASSEMBLER__
enum hut_device_type {
	HUT_DEVICE_NONE = 0,
	HUT_DEVICE_BLOCK = 1,
	HUT_DEVICE_NET = 2,
};

/* A device the image declares. The monitor refuses to boot an image that
 * needs a device it was not given (exit 126), unless the device is optional. */
#define HUT_DEVICE_OPTIONAL 0x1 /* the image runs without it (e.g. loopback only) */

struct hut_device {
	char name[HUT_DEVICE_NAME_MAX]; /* NUL-terminated */
	uint32_t type;			/* enum hut_device_type */
	uint32_t flags;			/* HUT_DEVICE_* */
};

struct hut_manifest {
	uint32_t magic;		/* HUT_MANIFEST_MAGIC */
	uint32_t abi_version;	/* HUT_ABI_VERSION */
	uint64_t boot_entry;	/* libos boot entry: CPL3, %rdi = boot info */
	uint64_t syscall_entry; /* MSR_LSTAR */
	uint64_t trap_entry;	/* stub for vector v at trap_entry + v * HUT_TRAP_STRIDE */
	uint64_t mem_default;	/* guest RAM in bytes when the monitor gets no --mem */
	uint32_t crc32; /* zlib crc32 of the loaded bytes and this manifest: HUT_CRC_* below */
	uint32_t device_count;	 /* entries used in devices[] */
	char name[HUT_NAME_MAX]; /* service name, NUL-terminated */
	struct hut_device devices[HUT_DEVICES_MAX];
	uint64_t files_gpa;  /* the packed files (struct hut_files_header), 0 if none */
	uint64_t files_size; /* bytes; inside one read-only PT_LOAD's file bytes */
};
_Static_assert(sizeof(struct hut_manifest) == HUT_MANIFEST_SIZE, "manifest size");
#endif

/*
 * What the manifest's crc32 covers: the file bytes of every PT_LOAD, in
 * program-header order, which are exactly the bytes the monitor copies into
 * the guest, with one exception. The first PT_LOAD holds the ELF header
 * (musl finds its program headers through it), and four of the header's
 * fields describe the section table, which is not loaded: e_shoff (file
 * offset 0x28, 8 bytes), e_shentsize (0x3a, 2), e_shnum (0x3c, 2) and
 * e_shstrndx (0x3e, 2). `strip`, `strip --strip-debug` and `objcopy`
 * rewrite them when they drop sections; nothing that runs reads them. The
 * CRC counts these bytes as zeros, and the monitor loads them as zeros, so
 * the guest's memory holds exactly the checksummed bytes. Every other byte
 * of the header, the program headers (e_phoff, e_entry, PT_TLS...), code and
 * data is covered. ABI 3; ABI 2 covered the fields as they were.
 *
 * Then the CRC goes on over the manifest itself (sizeof(struct hut_manifest)
 * bytes, as in the note, with the crc32 field as zero), so that every field
 * the monitor trusts (entry points, memory size, name, devices, packed files)
 * is covered too: before ABI 7 a flipped entry point was accepted and the
 * guest crashed far from the cause.
 */
#define HUT_CRC_SKIP_SHOFF 0x28 /* e_shoff: 8 bytes */
#define HUT_CRC_SKIP_SHOFF_LEN 8
#define HUT_CRC_SKIP_SHENTSIZE 0x3a /* e_shentsize, e_shnum, e_shstrndx: 6 bytes */
#define HUT_CRC_SKIP_SHENTSIZE_LEN 6

/* ---------------------------------------------------------------------------
 * Guest-physical layout. RAM is identity-mapped (guest virtual == physical),
 * so every pointer the guest hands the monitor is a guest-physical address.
 * ------------------------------------------------------------------------- */
#define HUT_PAGE_SIZE HUT_U64(0x1000)
#define HUT_LARGE_PAGE_SIZE HUT_U64(0x200000)

/* Page 0 is never mapped: the null guard. */
/* Monitor-owned supervisor pages (CPL3 cannot touch them). */
#define HUT_GDT_GPA HUT_U64(0x1000)
#define HUT_IDT_GPA HUT_U64(0x2000)
#define HUT_TSS_GPA HUT_U64(0x3000)
#define HUT_TRAP_STACK_TOP HUT_U64(0x8000) /* RSP0: 0x4000-0x7fff */
#define HUT_DF_STACK_TOP HUT_U64(0xa000)   /* IST1, double fault: 0x9000-0x9fff */
#define HUT_PAGETABLE_GPA HUT_U64(0x10000) /* page-table pages, up to HUT_BOOTINFO_GPA */
/* Boot info, argv and environment strings: user-readable, read-only. */
#define HUT_BOOTINFO_GPA HUT_U64(0x100000)
#define HUT_BOOTINFO_SIZE HUT_U64(0x100000)
/* The app's PT_LOAD segments (its code, musl's), at their p_paddr (==
 * p_vaddr). */
#define HUT_IMAGE_BASE HUT_U64(0x400000)
/* The hypercall doorbell page: no memslot, so a store to it exits with
 * KVM_EXIT_MMIO at any CPL. It sits above the largest RAM we allow. */
#define HUT_HYPERCALL_GPA HUT_U64(0x800000000) /* 32 GiB: needs MAXPHYADDR >= 36 */

/* The libos's own segments are linked at addresses of their own, the
 * window, far above any RAM: p_vaddr in [HUT_LIBOS_VA, + HUT_LIBOS_SPAN),
 * p_paddr in RAM right after the app's segments (one offset for them all).
 * The monitor maps the window onto those pages in every address space, and
 * reads an address in the window as the guest-physical page behind it
 * (mem.h, hut_gpa). Another image exec'd inside the appliance is loaded
 * where the app was, below the window, and keeps calling this libos:
 * what an app's code reaches of the libos sits at fixed addresses, the
 * same in every image (struct hut_libos_abi, then hut_syscall_dispatch at
 * HUT_LIBOS_DISPATCH_VA). docs/ARCHITECTURE.md, "The libos's window". */
#define HUT_LIBOS_VA HUT_U64(0x1000000000)	    /* 64 GiB */
#define HUT_LIBOS_SPAN HUT_U64(0x100000000)	    /* 4 GiB */
#define HUT_LIBOS_DISPATCH_VA HUT_U64(0x1000001000) /* the page after the ABI page */
#define HUT_LIBOS_MAGIC HUT_U64(0x534f4c4942545548) /* "HUTLIBOS" little-endian */

#define HUT_MEM_MIN (HUT_U64(8) << 20)
#define HUT_MEM_MAX (HUT_U64(32) << 30)
#define HUT_MEM_DEFAULT (HUT_U64(64) << 20)
#define HUT_STACK_MAX (HUT_U64(8) << 20) /* stack = min(this, RAM / 8) */

/* ---------------------------------------------------------------------------
 * Boot info: built by the monitor at HUT_BOOTINFO_GPA, pointer in %rdi at the
 * boot entry. All OUT (monitor -> guest).
 * ------------------------------------------------------------------------- */
#define HUT_BOOT_FSGSBASE 0x1 /* CR4.FSGSBASE is on: wrfsbase works at CPL3 */
#define HUT_BOOT_TICKS 0x2    /* the monitor serves the box's tick fields (preemption) */
#define HUT_BOOT_SNAPSHOT 0x4 /* --snapshot: the ready point is a snapshot (ABI 10) */

#ifndef __ASSEMBLER__
/* The page at HUT_LIBOS_VA (writable, the libos's): what musl and the
 * app's side of the image read of the libos, at the same place in every
 * image; exec checks a file's magic and abi before running it on this
 * libos (libos/sys/execcalls.c). */
struct hut_libos_abi {
	const struct hut_boot_info *boot_info; /* NULL in a Linux process */
	uint64_t tsc_main;		       /* when main() first started (--trace-boot) */
	uint64_t magic;			       /* HUT_LIBOS_MAGIC */
	uint32_t abi_version;		       /* HUT_ABI_VERSION */
	uint32_t reserved;
};

/* The network device (hut-monitor --net): where its rings are, and the
 * configuration --mac, --ip, --gw and --dns give. Addresses are IPv4 in
 * network byte order; 0 means "not given". */
struct hut_boot_net {
	uint64_t region;      /* OUT guest address of the net region (below), 0: no device */
	uint64_t region_size; /* OUT HUT_NET_REGION_SIZE */
	uint8_t mac[6];	      /* OUT the guest's Ethernet address */
	uint16_t mtu;	      /* OUT IP MTU: HUT_NET_MTU */
	uint32_t ipv4;	      /* OUT --ip address */
	uint32_t prefix_len;  /* OUT --ip /PREFIX, 0..32 */
	uint32_t gateway;     /* OUT --gw */
	uint32_t dns;	      /* OUT --dns */
};

struct hut_boot_info {
	uint32_t abi_version; /* OUT HUT_ABI_VERSION */
	uint32_t flags;	      /* OUT HUT_BOOT_* */
	uint64_t mem_size;    /* OUT bytes of RAM at guest-physical 0 */
	uint64_t heap_start;  /* OUT first free page after the image */
	uint64_t heap_end;    /* OUT end of free RAM: the stack guard page */
	uint64_t stack_top; /* OUT initial stack pointer region: [stack_top - stack_size, stack_top)
			     */
	uint64_t stack_size;	 /* OUT */
	uint64_t hypercall_base; /* OUT HUT_HYPERCALL_GPA */
	uint64_t tsc_khz;	 /* OUT TSC frequency */
	uint64_t tsc_at_boot;	 /* OUT guest TSC when wallclock_ns was read */
	uint64_t wallclock_ns;	 /* OUT CLOCK_REALTIME at boot, ns since the epoch */
	uint64_t app_entry;	 /* OUT ELF e_entry (musl's _start) */
	uint64_t phdr;		 /* OUT guest address of the program headers (AT_PHDR) */
	uint64_t phnum;		 /* OUT AT_PHNUM */
	uint64_t phent;		 /* OUT AT_PHENT */
	uint64_t argc;		 /* OUT */
	uint64_t argv;		 /* OUT guest address of argc string pointers */
	uint64_t envc;		 /* OUT environment strings ("NAME=VALUE") */
	uint64_t envp;		 /* OUT guest address of envc string pointers */
	uint16_t tty_rows;	 /* OUT console size; 0 when stdout is not a terminal */
	uint16_t tty_cols;	 /* OUT */
	uint32_t device_count;	 /* OUT attached devices */
	uint8_t random[32];	 /* OUT seed from the host's getrandom */
	char name[HUT_NAME_MAX]; /* OUT the manifest's service name */
	uint64_t files_gpa;	 /* OUT the manifest's packed files, checked by the monitor */
	uint64_t files_size;	 /* OUT */
	uint64_t volumes;	 /* OUT guest address of volume_count struct hut_boot_volume */
	uint32_t volume_count;	 /* OUT at most HUT_VOLUMES_MAX */
	uint32_t pids_max;	 /* OUT --pids: most processes and threads at once; 0: no limit */
	struct hut_boot_net net; /* OUT the network device; net.region 0 if none */
	uint64_t signals;	 /* OUT guest address of the struct hut_signal_box */
	/* OUT the guest's host name (uname's nodename): --hostname, else the
	 * service name; NUL-terminated, at most HUT_HOSTNAME_MAX - 1 bytes. */
	char hostname[HUT_HOSTNAME_MAX];
	/* OUT guest address of the console region (below, ABI 9); 0: none, every
	 * write to fds 1 and 2 is a console-write hypercall. */
	uint64_t console_ring;
	/* OUT guest address of the file ring (below, ABI 10); 0: no volumes,
	 * or none: every volume operation is a file hypercall. */
	uint64_t file_ring;
};

/*
 * Signals from outside: what hut-monitor receives (SIGTERM from `kill`, a
 * runtime's or an orchestrator's stop, SIGINT from a terminal's Ctrl-C...)
 * goes to the guest as Linux would send it to a process. The box is a page
 * of guest RAM just below the heap, user-writable; the monitor writes it
 * only while the vCPU is stopped. The libos keeps caught, ignored and
 * blocked current, so the monitor can apply a default action (end the
 * guest with 128+N) without the guest's help, even when the guest never
 * makes another syscall; a signal the guest catches or blocks is put in
 * pending, which the libos takes (an atomic exchange) when a syscall
 * returns or a sleep ends, and delivers as it delivers its own.
 */
struct hut_signal_box {
	uint64_t pending; /* OUT bit N-1: signal N arrived (the monitor ORs it in) */
	uint64_t caught;  /* IN bit N-1: N has a handler */
	uint64_t ignored; /* IN bit N-1: N is ignored (SIG_IGN, or by default) */
	uint64_t blocked; /* IN the signal mask */
	/* Ticks (ABI 8, when the boot info has HUT_BOOT_TICKS): a guest that
	 * spins without syscalls is still interrupted for its timers. The
	 * libos publishes its earliest deadline; the monitor arms a host timer
	 * for it and, when it fires while the app's own code runs, sends the
	 * vCPU to tick_entry with the interrupted rip in tick_rip (every other
	 * register untouched). The libos asks for the deadline to be looked at
	 * (HUT_HC_TICK) only when it is earlier than what is armed. */
	uint64_t deadline;   /* IN ns since boot (the boot info's TSC origin): the earliest
				timer that must interrupt the app; 0: none */
	uint64_t then;	     /* IN the earliest after that one has fired once; 0: none */
	uint64_t tick_entry; /* IN where a tick enters the libos */
	uint64_t running;    /* IN guest address of the libos's 8-byte flag: nonzero while
				the app's own code runs (the only time a tick may enter) */
	uint64_t armed;	     /* OUT the deadline the host timer is armed for; 0: none */
	uint64_t tick_rip;   /* OUT where the app was when the last tick took it */
	uint64_t forks;	     /* IN processes the guest made after pid 1 (--trace-exits) */
	uint64_t procs_max;  /* IN (ABI 9) the most processes alive at once, pid 1 counted */
};

/* A host directory the guest sees at path (hut-monitor --volume). Its index
 * is the volume number file hypercalls name. */
#define HUT_VOLUMES_MAX 16
#define HUT_VOLUME_RDONLY 0x1 /* :ro: every change is EROFS */
/* cache=: how the libos caches the volume's files (libos/fs/volume_cache.c).
 * Neither bit: cache=auto, the default (close-to-open: each open checks the
 * host's size, mtime and inode). */
#define HUT_VOLUME_CACHE_NONE 0x2   /* every read and write reaches the host */
#define HUT_VOLUME_CACHE_ALWAYS 0x4 /* only this appliance changes the tree */
#define HUT_VOLUME_SIZED 0x8	    /* size=: writes reach the host at once (exact count) */

struct hut_boot_volume {
	uint64_t path;	/* OUT guest address of the canonical guest path, NUL-terminated */
	uint32_t flags; /* OUT HUT_VOLUME_* */
	uint32_t reserved;
};
#endif

/* ---------------------------------------------------------------------------
 * Network device: two descriptor rings in guest memory, served by a monitor
 * I/O thread that moves Ethernet frames between them and a tap device while
 * the guest runs, so a busy guest moves many frames per exit.
 *
 * The monitor reserves the net region at the top of the heap (the boot
 * info's heap_end is below it) and names it in boot info net.region:
 *   offset 0                      struct hut_net_shared (one page)
 *   HUT_NET_TX_DESC_OFFSET        HUT_NET_RING_SIZE struct hut_net_desc: guest -> host
 *   HUT_NET_RX_DESC_OFFSET        HUT_NET_RING_SIZE struct hut_net_desc: host -> guest
 *   HUT_NET_POOL_OFFSET           HUT_NET_POOL_BUFS buffers of HUT_NET_BUF_SIZE
 * Every descriptor's buffer must lie inside the pool: the monitor reads and
 * writes nothing of the guest's but this region.
 *
 * Indices are free-running 32-bit counts; slot = index % HUT_NET_RING_SIZE.
 * TX: the guest fills desc[tx.prod % N] with a frame and then bumps tx.prod;
 *     the I/O thread sends frames [tx.cons, tx.prod) and bumps tx.cons (the
 *     guest may reuse those buffers).
 * RX: the guest posts empty buffers (len = capacity, at least
 *     HUT_NET_FRAME_MAX) and bumps rx.prod; the I/O thread fills
 *     [rx.cons, rx.prod), writes each frame's length into the descriptor's
 *     len and bumps rx.cons. Until the guest first posts buffers the tap is
 *     not read: frames sent while it boots wait in the tap's own (bounded)
 *     queue. Once it has posted any, a frame that finds none is dropped.
 * Notifications, as virtio suppresses them:
 *   - io_idle is 1 while the I/O thread sleeps: only then must the guest kick
 *     (HUT_HC_NET_KICK) after bumping tx.prod, and after bumping rx.prod for
 *     the first time (store, full fence, load).
 *   - the guest says it is idle by sleeping in HUT_HC_POLL with the events
 *     value it last saw: the monitor wakes it early only if events moved since.
 *     events moves when RX frames arrive, and when TX frames are done only if
 *     the guest set tx_wanted (its TX ring was full: store, full fence, load).
 * An index more than N ahead, a length out of range or a buffer outside the
 * pool ends the guest (exit status 159, as a bad hypercall).
 * ------------------------------------------------------------------------- */
#define HUT_NET_MTU 1500
#define HUT_NET_FRAME_MIN 14		     /* an Ethernet header */
#define HUT_NET_FRAME_MAX (14 + HUT_NET_MTU) /* no FCS, no VLAN tag */
#define HUT_NET_RING_SIZE 256		     /* descriptors per ring, a power of two */
#define HUT_NET_BUF_SIZE 2048
#define HUT_NET_POOL_BUFS (2 * HUT_NET_RING_SIZE)
#define HUT_NET_DESC_SIZE 16
#define HUT_NET_TX_DESC_OFFSET HUT_PAGE_SIZE
#define HUT_NET_RX_DESC_OFFSET (HUT_NET_TX_DESC_OFFSET + HUT_NET_RING_SIZE * HUT_NET_DESC_SIZE)
#define HUT_NET_POOL_OFFSET (HUT_NET_RX_DESC_OFFSET + HUT_NET_RING_SIZE * HUT_NET_DESC_SIZE)
#define HUT_NET_REGION_SIZE (HUT_NET_POOL_OFFSET + HUT_NET_POOL_BUFS * HUT_NET_BUF_SIZE)

#ifndef __ASSEMBLER__
struct hut_net_desc {
	uint64_t addr;	/* IN guest address of the buffer, inside the pool */
	uint32_t len;	/* TX: IN frame bytes; RX: IN buffer capacity, OUT frame bytes */
	uint32_t flags; /* reserved, 0 */
};
_Static_assert(sizeof(struct hut_net_desc) == HUT_NET_DESC_SIZE, "net descriptor size");

struct hut_net_indices {
	uint32_t prod; /* IN descriptors the guest has posted */
	uint32_t cons; /* OUT descriptors the monitor has finished */
};

/* Counters the monitor keeps for --trace-exits, mirrored here for the guest. */
struct hut_net_stats {
	uint64_t tx_frames;  /* OUT sent to the tap */
	uint64_t tx_errors;  /* OUT the tap refused them (e.g. its link is down) */
	uint64_t rx_frames;  /* OUT delivered into RX buffers */
	uint64_t rx_dropped; /* OUT no RX buffer free, or larger than HUT_NET_FRAME_MAX */
	uint64_t kicks;	     /* OUT kicks the I/O thread received */
	uint64_t wakes;	     /* OUT times the I/O thread woke a sleeping guest */
};

struct hut_net_shared {
	struct hut_net_indices tx;
	struct hut_net_indices rx;
	uint32_t
		io_idle; /* OUT 1: the I/O thread sleeps; kick after posting TX (or the first RX) */
	uint32_t events; /* OUT bumped after each batch of RX frames moved */
	uint32_t tx_wanted; /* IN 1: the guest waits for TX buffers: bump events for TX too */
	uint32_t reserved;
	struct hut_net_stats stats;
};
#endif

/* ---------------------------------------------------------------------------
 * Console ring (ABI 9): what the guest writes to fds 1 and 2 goes into one
 * ring of records in guest memory, in the order written, and a monitor
 * thread writes each record to the monitor's own fd 1 or 2 while the guest
 * runs: a write costs a copy, not an exit.
 *
 * The region (HUT_CONSOLE_REGION_SIZE bytes at boot info console_ring, at
 * the top of the heap) is
 *   offset 0                    struct hut_console_shared (one page)
 *   HUT_CONSOLE_DATA_OFFSET     HUT_CONSOLE_RING_SIZE bytes of records
 * A record is a struct hut_console_record and then len bytes of data,
 * padded to 8 bytes; data may wrap from the ring's end to its start (a
 * header never does: every record starts 8-byte aligned). prod and cons
 * are free-running byte counts (offset = count % HUT_CONSOLE_RING_SIZE).
 * The guest writes records at [prod, ...) and then bumps prod; the monitor
 * writes [cons, prod) out and then bumps cons.
 * Notifications: io_idle is 1 while the monitor thread sleeps with nothing
 * to do: only then must the guest kick (HUT_HC_CONSOLE_KICK) after bumping
 * prod (store, full fence, load); it kicks as well when its record takes
 * the ring past half full. A write that does not fit goes through the
 * console-write hypercall, which writes what the ring holds first.
 * An error writing the monitor's fd (EPIPE: the reader is gone) is left in
 * error[] for the guest's next write to that fd; the monitor drops that
 * fd's records from then on.
 * A prod more than the ring ahead of cons, a prod not 8-byte aligned or a
 * record whose fd is not 1 or 2 or whose length runs past prod ends the
 * guest (exit status 159, as a bad hypercall).
 * ------------------------------------------------------------------------- */
#define HUT_CONSOLE_RING_SIZE HUT_U64(0x10000) /* a power of two */
#define HUT_CONSOLE_DATA_OFFSET HUT_PAGE_SIZE
#define HUT_CONSOLE_REGION_SIZE (HUT_CONSOLE_DATA_OFFSET + HUT_CONSOLE_RING_SIZE)
#define HUT_CONSOLE_ALIGN 8

#ifndef __ASSEMBLER__
struct hut_console_record {
	uint32_t len; /* IN data bytes after this header */
	uint32_t fd;  /* IN 1 or 2 */
};

struct hut_console_shared {
	uint32_t prod;	   /* IN bytes of records the guest has written */
	uint32_t cons;	   /* OUT bytes of records the monitor has written out */
	uint32_t io_idle;  /* OUT 1: the monitor thread sleeps; kick after bumping prod */
	uint32_t reserved; /* 0 */
	int32_t error[2];  /* OUT fd 1's and fd 2's first host error (an errno), 0: none */
};
#endif

/* ---------------------------------------------------------------------------
 * Packed files (`hut build --files`): one blob in a read-only PT_LOAD of its
 * own, named by the manifest and covered by its CRC like every loaded byte.
 * The libos serves it from memory, with no exit. Offsets are from the
 * blob's start; every structure is 8-byte aligned.
 *
 * nodes[0] is the root directory. A directory's entries are sorted by name
 * (bytewise, then shorter first) and name only nodes after it, each node but
 * the root exactly once: the nodes form a tree, listed parents first.
 * ------------------------------------------------------------------------- */
#define HUT_FILES_MAGIC HUT_U64(0x53454c4946545548) /* "HUTFILES" little-endian */
#define HUT_FILES_VERSION 1
#define HUT_FILES_NODES_MAX (1u << 22)
#define HUT_FILES_NAME_MAX 255
#define HUT_FILES_LINK_MAX 4095 /* symlink target bytes */

#ifndef __ASSEMBLER__
struct hut_files_header {
	uint64_t magic;	     /* HUT_FILES_MAGIC */
	uint32_t version;    /* HUT_FILES_VERSION */
	uint32_t node_count; /* 1..HUT_FILES_NODES_MAX */
	uint64_t nodes;	     /* offset of node_count struct hut_files_node */
	uint64_t size;	     /* bytes in the blob (== the manifest's files_size) */
};

struct hut_files_node {
	uint32_t mode;	 /* S_IFREG, S_IFDIR or S_IFLNK, and permission bits (07777) */
	uint32_t parent; /* directories: the parent's index (the root's is 0) */
	uint64_t size;	 /* regular: bytes; symlink: target bytes; directory: entries */
	uint64_t offset; /* regular: data; symlink: target (no NUL); directory: entries */
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t reserved; /* 0 */
};

struct hut_files_entry {
	uint32_t node;	   /* index into nodes, greater than the directory's own */
	uint32_t name_len; /* 1..HUT_FILES_NAME_MAX */
	uint64_t name;	   /* offset of the name: no NUL, no '/', not "." or ".." */
};
#endif

/* ---------------------------------------------------------------------------
 * Hypercalls. The guest stores the guest-physical address of the argument
 * struct (8 bytes) to HUT_HYPERCALL_GPA + 8 * nr. Anything else (other
 * widths, reads, unknown numbers, bad pointers) ends the guest.
 * ------------------------------------------------------------------------- */
#define HUT_HC_CONSOLE_WRITE 0 /* struct hut_hc_console */
#define HUT_HC_EXIT 1	       /* struct hut_hc_exit */
#define HUT_HC_ABORT 2	       /* struct hut_trap_frame, stored by a CPL0 stub */
#define HUT_HC_POLL 3	       /* struct hut_hc_poll */
#define HUT_HC_SET_FS 4	       /* struct hut_hc_set_fs (when no FSGSBASE) */
#define HUT_HC_CONSOLE_READ 5  /* struct hut_hc_console, fd 0: one readv of stdin */
#define HUT_HC_FILE 6	       /* struct hut_hc_file: an operation on a volume */
#define HUT_HC_NET_KICK 7      /* no argument (any value): TX descriptors are waiting */
#define HUT_HC_THREADS 8       /* struct hut_threads_table: where the libos keeps threads */
#define HUT_HC_TICK 9	       /* no argument: the signal box's deadline moved earlier */
#define HUT_HC_CONSOLE_KICK 10 /* no argument (any value): the console ring has records */
#define HUT_HC_RELEASE 11      /* struct hut_hc_release: free RAM the host may take back */
#define HUT_HC_PROC_CORE 12    /* struct hut_hc_proc_core: a crashed process's core */
#define HUT_HC_FILE_KICK 13    /* no argument (any value): the file ring has requests */
#define HUT_HC_READY 14	       /* struct hut_hc_ready: the app is ready (include/hut/ready.h) */
#define HUT_HC_CONSOLE_POLL 15 /* struct hut_hc_console_poll: has stdin input now? */
#define HUT_HC_COUNT 16

/*
 * The warm-up stub. hut_boot_entry starts with a two-byte jump over
 * HUT_WARM_TAG (8 bytes, at boot_entry + 2) and a stub at boot_entry +
 * HUT_WARM_OFFSET that no boot runs: entered at CPL3 with %rdi and %rsi
 * page-aligned guest-virtual addresses, it reads one byte of each page in
 * [%rdi, %rsi), then stores %rdi to hypercall slot HUT_WARM_DONE_SLOT, which
 * no hypercall uses (a guest storing there while it runs is ended, as for
 * any unknown number). A pool's monitor runs it on a restored snapshot's
 * pages before its request, so that KVM's shadow MMU has them mapped when
 * the guest itself runs (monitor/snapshot_warm.c). An image without the
 * tag is never warmed: no ABI change.
 */
#define HUT_WARM_TAG "HUTWARM1"
#define HUT_WARM_OFFSET 16
#define HUT_WARM_DONE_SLOT 511

#ifndef __ASSEMBLER__
struct hut_iovec {
	uint64_t base; /* IN guest address */
	uint64_t len;  /* IN */
};

struct hut_hc_console {
	uint64_t iov;	 /* IN guest address of iovcnt struct hut_iovec */
	uint32_t iovcnt; /* IN at most HUT_IOV_MAX */
	uint32_t fd;	 /* IN 1 (stdout) or 2 (stderr); 0 (stdin) to read */
	int64_t result;	 /* OUT bytes written or read (0: end of input), or -errno */
};
#define HUT_IOV_MAX 1024

/* Whether a read of stdin would return at once (ABI 11): what poll(2) of
 * the monitor's stdin says without waiting. */
struct hut_hc_console_poll {
	uint32_t revents; /* OUT POLLIN, POLLHUP, POLLERR (POLLNVAL as POLLERR) */
	uint32_t reserved;
};

#define HUT_EXIT_STATUS 0 /* status is an exit status (0-255) */
#define HUT_EXIT_SIGNAL 1 /* status is a signal number: the guest was killed */

struct hut_hc_exit {
	uint32_t kind;	   /* IN HUT_EXIT_STATUS or HUT_EXIT_SIGNAL */
	int32_t status;	   /* IN */
	uint64_t tsc_boot; /* IN guest TSC at the first boot instruction */
	uint64_t tsc_main; /* IN guest TSC when main() was entered, 0 if never */
	uint64_t tsc_exit; /* IN guest TSC at exit */
	uint64_t
		syscalls_trapped; /* IN syscalls that came through MSR_LSTAR (not the dispatcher) */
};

/* Sleeps until the deadline, or until the network device has news: the
 * shared events counter differs from net_events (at once if it already does).
 * With HUT_POLL_FILE in wait (ABI 10), until the file ring's events counter
 * differs from file_events instead: a guest waiting for a file request. */
#define HUT_POLL_NET 0x1  /* ready: the net device moved frames */
#define HUT_POLL_FILE 0x2 /* wait, ready: the file ring finished requests */
/* ready (ABI 10): this sleep is where a snapshot was taken, and the guest
 * now runs restored from it: the boot info holds a new random seed and a
 * new wall clock (docs/ARCHITECTURE.md, "Snapshots"). */
#define HUT_POLL_RESTORED 0x4
/* wait (ABI 11): the sleep ends too when the monitor's stdin has input (or
 * hangs up): the guest waits on stdin among other things (poll, select,
 * epoll), and found it without input (HUT_HC_CONSOLE_POLL). */
#define HUT_POLL_STDIN 0x8
/* flags (ABI 10): every thread waits for input (a socket, a pipe), none for
 * a deadline of the app's, and main() has started: --snapshot's default
 * ready point. */
#define HUT_POLL_WAIT_INPUT 0x1

struct hut_hc_poll {
	uint64_t timeout_ns;  /* IN sleep at most this long */
	uint64_t ready;	      /* OUT HUT_POLL_* bits */
	uint32_t net_events;  /* IN the net region's events value the guest has acted on */
	uint32_t wait;	      /* IN HUT_POLL_FILE, or 0: the net device's news (ABI 10); and
				 HUT_POLL_STDIN (ABI 11) */
	uint32_t file_events; /* IN the file ring's events value the guest has seen */
	uint32_t flags;	      /* IN HUT_POLL_WAIT_INPUT */
};

/* The app says it is ready (hut_ready(), include/hut/ready.h): the ready
 * point of --snapshot; without it, nothing happens. */
struct hut_hc_ready {
	uint64_t ready; /* OUT HUT_POLL_RESTORED when the guest runs restored */
};

struct hut_hc_set_fs {
	uint64_t base; /* IN new FS base (TLS) */
};

/* Runs of the arena the libos holds free, given back to the host (which
 * drops their pages: the guest reads zeroes there next). Each run is
 * page-aligned and inside the arena [heap_start, heap_end). */
#define HUT_RELEASE_RUNS_MAX 64
struct hut_hc_release {
	uint64_t runs;	/* IN guest-physical address of count struct hut_iovec */
	uint32_t count; /* IN 1..HUT_RELEASE_RUNS_MAX */
	uint32_t reserved;
};

/*
 * File operations on volumes. Paths are relative to the volume's directory,
 * canonical ("a/b", or "" for the directory itself: no leading '/', no "."
 * or ".." component, no empty component, no NUL) and are not followed if
 * they hold a symlink anywhere: the libos resolves symlinks itself. Open
 * files are the monitor's handles (at most HUT_FILE_HANDLES_MAX at a time);
 * the guest never sees a host fd. Data moves straight between the host file
 * and the guest's iovecs. result is what the host syscall gave: a count, 0,
 * or -errno as Linux defines it. On an owner=mapped volume (the default)
 * the set-ID bits and owner a guest gives a file are kept beside it, never
 * on the host file: STAT and LSTAT show them, OPEN's stat is the host
 * file's (its type is what it is for). With size=, STATFS's blocks are the
 * limit's and a write, ALLOCATE or growing truncate past it is -ENOSPC.
 */
#define HUT_FILE_HANDLES_MAX 1024
#define HUT_FILE_APPEND HUT_U64(0xffffffffffffffff) /* WRITE's offset: at the end */

enum hut_file_op {
	HUT_FILE_OPEN = 1, /* volume path flags(open(2)'s) mode -> handle, stat */
	HUT_FILE_CLOSE,	   /* handle */
	HUT_FILE_READ,	   /* handle buf(iovecs) len(iovcnt) offset -> bytes */
	HUT_FILE_WRITE, /* handle buf len offset (or HUT_FILE_APPEND) -> bytes, offset (the end) */
	HUT_FILE_STAT,	/* handle -> stat */
	HUT_FILE_LSTAT, /* volume path -> stat */
	HUT_FILE_GETDENTS, /* handle buf len -> bytes of linux_dirent64 records */
	HUT_FILE_SEEK,	   /* handle offset flags(whence) -> position (directories) */
	HUT_FILE_SYNC,	   /* handle flags(1: data only) */
	HUT_FILE_ALLOCATE, /* handle offset len */
	HUT_FILE_MKDIR,	   /* volume path mode */
	HUT_FILE_UNLINK,   /* volume path flags(HUT_FILE_RMDIR) */
	HUT_FILE_RENAME,   /* volume path path2 flags(RENAME_NOREPLACE, RENAME_EXCHANGE) */
	HUT_FILE_LINK,	   /* volume path(existing) path2(new) */
	HUT_FILE_SYMLINK,  /* volume path(new link) path2(target, any bytes) */
	HUT_FILE_READLINK, /* volume path buf len -> bytes */
	HUT_FILE_SETATTR,  /* volume path flags(HUT_FILE_ATTR_*) mode uid gid times offset(size) */
	HUT_FILE_FSETATTR, /* handle flags mode uid gid times offset(size) */
	HUT_FILE_STATFS,   /* volume buf(struct hut_file_statfs) */
	HUT_FILE_OP_END
};

#define HUT_FILE_RMDIR 0x1
/* LSTAT's flags: the host's stat alone, without the owner= view (no xattr
 * read): a guest that knows the view and sees the same ctime (every change
 * of the view moves it) keeps what it knows. A monitor that ignores the
 * flag answers with the view: the same for such a guest. */
#define HUT_FILE_LSTAT_HOST 0x1
#define HUT_FILE_ATTR_MODE 0x1
#define HUT_FILE_ATTR_OWNER 0x2	  /* uid and gid; (uint32_t)-1 leaves one as it is */
#define HUT_FILE_ATTR_TIMES 0x4	  /* atime and mtime; nsec UTIME_OMIT leaves one */
#define HUT_FILE_ATTR_SIZE 0x8	  /* truncate to offset */
#define HUT_FILE_ATTR_NOLINK 0x10 /* SETATTR: ELOOP if path names a symlink */

struct hut_file_stat {
	uint64_t ino;
	uint64_t size;
	uint64_t blocks; /* 512-byte units */
	uint64_t nlink;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t blksize;
	uint64_t rdev;
	int64_t atime_sec, mtime_sec, ctime_sec;
	uint32_t atime_nsec, mtime_nsec, ctime_nsec, reserved;
};

struct hut_file_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen, frsize, flags;
};

struct hut_hc_file {
	uint32_t op;	 /* IN enum hut_file_op */
	uint32_t volume; /* IN index into the boot info's volumes */
	uint32_t handle; /* IN, OUT for OPEN */
	uint32_t flags;	 /* IN the op's */
	uint64_t path;	 /* IN guest address of a volume-relative path */
	uint64_t path_len;
	uint64_t path2; /* IN a second path (RENAME, LINK) or a symlink's target */
	uint64_t path2_len;
	uint64_t buf;	     /* IN guest address of iovecs or a buffer */
	uint64_t len;	     /* IN iovec count or buffer bytes */
	uint64_t offset;     /* IN, OUT for WRITE */
	uint32_t mode;	     /* IN */
	uint32_t uid;	     /* IN */
	uint32_t gid;	     /* IN */
	uint32_t atime_nsec; /* IN */
	int64_t atime_sec;   /* IN */
	int64_t mtime_sec;   /* IN */
	uint32_t mtime_nsec; /* IN */
	uint32_t reserved;
	int64_t result;		   /* OUT */
	struct hut_file_stat stat; /* OUT for OPEN, STAT, LSTAT */
};

/*
 * File ring (ABI 10): the volume operations of a guest that has one go into
 * a ring of requests in guest memory, and a monitor I/O thread serves them
 * in order while the guest runs, so a busy guest does not exit for each.
 *
 * The region (HUT_FILE_REGION_SIZE bytes at boot info file_ring, at the top
 * of the heap) is
 *   offset 0                  struct hut_file_shared (one page)
 *   HUT_FILE_SLOTS_OFFSET     HUT_FILE_RING_SLOTS slots of HUT_FILE_SLOT_SIZE
 *                             bytes, each a struct hut_hc_file
 * prod and cons are free-running counts; slot = count % HUT_FILE_RING_SLOTS.
 * The guest fills slot[prod % N] with a request, exactly as it would give
 * it to HUT_HC_FILE (its paths, iovecs and buffers in guest memory), and
 * then bumps prod. The thread copies a slot before it looks at any field
 * (the guest may change the slot meanwhile: the copy is what is served,
 * checked exactly as HUT_HC_FILE checks it), serves it, writes the copy
 * back (result, handle, offset, stat) and then bumps cons and events: slot
 * i is done once cons has passed i. The guest reuses a slot only after.
 * Notifications: io_idle is 1 while the thread sleeps; only then must the
 * guest kick (HUT_HC_FILE_KICK) after bumping prod (store, full fence,
 * load). After serving, the thread keeps looking at the ring for a short
 * while (tens of microseconds) before it sleeps, so a guest that sends a
 * request after a request does not kick. A guest waiting for a request
 * spins for a while, then sleeps in the poll hypercall with HUT_POLL_FILE
 * in wait and the events value it saw in file_events.
 * HUT_HC_FILE still serves a request at once, beside the ring (one lock
 * serves one request at a time): a guest that wants the ring's order uses
 * it only while the ring is empty (the libos does, when the thread sleeps:
 * one exit then costs less than waking the thread).
 * A prod more than N ahead of cons ends the guest (exit status 159, as a
 * bad hypercall); so does a kick without a ring. The monitor serves every
 * request the guest queued before it ends, whatever ends it.
 * ------------------------------------------------------------------------- */
#define HUT_FILE_RING_SLOTS 64 /* a power of two */
#define HUT_FILE_SLOT_SIZE 256
#define HUT_FILE_SLOTS_OFFSET HUT_PAGE_SIZE
#define HUT_FILE_REGION_SIZE (HUT_FILE_SLOTS_OFFSET + HUT_FILE_RING_SLOTS * HUT_FILE_SLOT_SIZE)
_Static_assert(sizeof(struct hut_hc_file) <= HUT_FILE_SLOT_SIZE, "file slot size");

struct hut_file_shared {
	uint32_t prod;	  /* IN requests the guest has posted */
	uint32_t cons;	  /* OUT requests the monitor has finished */
	uint32_t io_idle; /* OUT 1: the I/O thread sleeps; kick after bumping prod */
	uint32_t events;  /* OUT bumped after each request finished */
	uint64_t served;  /* OUT requests served by the thread (for a reader) */
	uint64_t kicks;	  /* OUT kicks the thread received */
};

/* Threads (HUT_HC_THREADS). The libos registers its table once, when the
 * app starts a second thread; the monitor reads it only to write --core's
 * file after a crash, and then only as data (every value checked, each
 * stack reached through hut_gpa). A thread's registers are those of the
 * syscall the libos switched it out in: %rcx and %r11 hold rip and rflags
 * there, as the syscall instruction left them. Threads past
 * HUT_THREADS_MAX are left out of the core file. */
#define HUT_THREADS_MAX 64

struct hut_thread_regs {
	uint64_t tid; /* IN 0: an empty slot */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, fs_base;
};

struct hut_threads_table {
	uint64_t running_tid; /* IN the thread whose registers the trap frame has */
	struct hut_thread_regs thread[HUT_THREADS_MAX]; /* IN the others, as last switched out */
};

/* The core of a crashed process other than pid 1 (HUT_HC_PROC_CORE): with
 * --core FILE the monitor writes FILE.pid, an ELF core of that process as it
 * saw itself: its crashed thread's registers (and its other threads', as
 * they were switched out) and its memory, as pieces of
 * guest-virtual memory each held in one run of guest RAM. The monitor checks
 * every value: pieces page-aligned, in RAM, below HUT_CORE_VA_END, not
 * overlapping, together no larger than RAM; anything else is a bad
 * hypercall. Pages past HUT_CORE_PIECES_MAX pieces are left out (left_out
 * says how many, and the core file says so too). */
#define HUT_CORE_PIECES_MAX 512
#define HUT_CORE_VA_END (HUT_U64(1) << 47) /* the user half of the address space */

struct hut_core_piece {
	uint64_t va;	/* IN where the process saw it, page-aligned */
	uint64_t gpa;	/* IN where it lies in RAM, page-aligned */
	uint64_t len;	/* IN bytes, a nonzero multiple of the page size */
	uint32_t flags; /* IN PF_R | PF_W | PF_X */
	uint32_t reserved;
};

struct hut_hc_proc_core {
	uint32_t pid;		     /* IN 2..INT32_MAX */
	uint32_t sig;		     /* IN the signal it was killed by, 1..64 */
	struct hut_thread_regs regs; /* IN the crashed thread's, at the exception */
	uint64_t pieces;	     /* IN guest address of npieces struct hut_core_piece */
	uint32_t npieces;	     /* IN at most HUT_CORE_PIECES_MAX */
	uint32_t left_out;	     /* IN pages of its memory that did not fit */
	int64_t result;		     /* OUT 0: FILE.pid written; -ENOENT: no --core; -errno */
	uint64_t threads;	     /* IN guest address of nthreads struct hut_thread_regs: */
	uint32_t nthreads;	     /* IN its other threads, at most HUT_THREADS_MAX */
	uint32_t reserved;
};

/* What an exception stub leaves on the trap stack, lowest address first. */
struct hut_trap_frame {
	uint64_t rax; /* the stub's scratch register, saved first */
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors that push none */
	uint64_t rip;	     /* pushed by the CPU */
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};
#endif

#endif
