/*
 * The machine's files in /proc: memory (mem/'s arena), the vCPU (CPUID),
 * time and load (base/clock.h: the time since boot and the time the vCPU
 * slept), and the names uname gives. One vCPU, one process.
 */
#include "procfs.h"

#include <hut/version.h>

#define TICKS_PER_S 100 /* USER_HZ */

static uint64_t ticks(uint64_t ns)
{
	return ns / (HUT_NS_PER_S / TICKS_PER_S);
}

/* "Name:" in 16 columns, the value in 8, " kB", as Linux's show_val_kb. */
static void mem_line(struct hut_text *t, const char *name, uint64_t bytes)
{
	size_t n = hut_strlen(name);
	hut_text_str(t, name);
	hut_text_char(t, ':');
	for (size_t pad = n + 1; pad < 16; pad++)
		hut_text_char(t, ' ');
	hut_text_u64_w(t, bytes / 1024, 8);
	hut_text_str(t, " kB\n");
}

/* MemTotal is the guest's RAM; what the arena has free is free and
 * available (nothing is cache that could be dropped). */
void hut_proc_meminfo(struct hut_text *t, const struct hut_proc_ctx *c)
{
	uint64_t total = hut_boot_info->mem_size;
	uint64_t free_bytes = hut_pages_free_count() * HUT_PAGE_SIZE;
	uint64_t used = hut_pages_total() * HUT_PAGE_SIZE - free_bytes;
	static const char *const zeros[] = {"Buffers", "Cached", "SwapCached"};
	(void)c;
	mem_line(t, "MemTotal", total);
	mem_line(t, "MemFree", free_bytes);
	mem_line(t, "MemAvailable", free_bytes);
	for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++)
		mem_line(t, zeros[i], 0);
	mem_line(t, "Active", used);
	mem_line(t, "Inactive", 0);
	mem_line(t, "SwapTotal", 0);
	mem_line(t, "SwapFree", 0);
	mem_line(t, "Dirty", 0);
	mem_line(t, "Writeback", 0);
	mem_line(t, "AnonPages", used);
	mem_line(t, "Mapped", 0);
	mem_line(t, "Shmem", 0);
	mem_line(t, "CommitLimit", total);
	mem_line(t, "Committed_AS", used);
	hut_text_str(t, "HugePages_Total:       0\nHugePages_Free:        0\n");
	mem_line(t, "Hugepagesize", 2u << 20);
}

/* CPUID, each leaf asked once: under KVM every CPUID is an exit (~45 us
 * here), and what the vCPU is does not change. */
static void cpuid(uint32_t leaf, uint32_t r[4])
{
	static struct {
		uint32_t leaf, valid, r[4];
	} known[16];
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (known[i].valid && known[i].leaf == leaf) {
			hut_memcpy(r, known[i].r, sizeof known[i].r);
			return;
		}
		if (!known[i].valid) {
			hut_cpuid(leaf, 0, known[i].r);
			known[i].leaf = leaf;
			known[i].valid = 1;
			hut_memcpy(r, known[i].r, sizeof known[i].r);
			return;
		}
	}
	hut_cpuid(leaf, 0, r);
}

struct cpu_flag {
	uint8_t bit;
	const char *name;
};

/* CPUID bits and Linux's names for them, word by word in Linux's order
 * (arch/x86/include/asm/cpufeatures.h): 1:EDX, 0x80000001:EDX, 1:ECX,
 * 0x80000001:ECX, 7:EBX, 7:ECX, 7:EDX. */
static const struct cpu_flag w1_edx[] = {
	{0, "fpu"},  {1, "vme"},   {2, "de"},	 {3, "pse"},   {4, "tsc"},    {5, "msr"},
	{6, "pae"},  {7, "mce"},   {8, "cx8"},	 {9, "apic"},  {11, "sep"},   {12, "mtrr"},
	{13, "pge"}, {14, "mca"},  {15, "cmov"}, {16, "pat"},  {17, "pse36"}, {19, "clflush"},
	{21, "dts"}, {22, "acpi"}, {23, "mmx"},	 {24, "fxsr"}, {25, "sse"},   {26, "sse2"},
	{27, "ss"},  {28, "ht"},   {29, "tm"},	 {31, "pbe"},  {0, NULL},
};
static const struct cpu_flag x1_edx[] = {
	{11, "syscall"}, {19, "mp"},	 {20, "nx"}, {22, "mmxext"}, {25, "fxsr_opt"},
	{26, "pdpe1gb"}, {27, "rdtscp"}, {29, "lm"}, {0, NULL},
};
static const struct cpu_flag w1_ecx[] = {
	{0, "pni"},	{1, "pclmulqdq"},   {2, "dtes64"},  {3, "monitor"},
	{4, "ds_cpl"},	{5, "vmx"},	    {6, "smx"},	    {7, "est"},
	{8, "tm2"},	{9, "ssse3"},	    {10, "cid"},    {11, "sdbg"},
	{12, "fma"},	{13, "cx16"},	    {14, "xtpr"},   {15, "pdcm"},
	{17, "pcid"},	{18, "dca"},	    {19, "sse4_1"}, {20, "sse4_2"},
	{21, "x2apic"}, {22, "movbe"},	    {23, "popcnt"}, {24, "tsc_deadline_timer"},
	{25, "aes"},	{26, "xsave"},	    {28, "avx"},    {29, "f16c"},
	{30, "rdrand"}, {31, "hypervisor"}, {0, NULL},
};
static const struct cpu_flag x1_ecx[] = {
	{0, "lahf_lm"},	      {1, "cmp_legacy"},  {2, "svm"},	 {3, "extapic"},
	{4, "cr8_legacy"},    {5, "abm"},	  {6, "sse4a"},	 {7, "misalignsse"},
	{8, "3dnowprefetch"}, {9, "osvw"},	  {10, "ibs"},	 {11, "xop"},
	{12, "skinit"},	      {13, "wdt"},	  {15, "lwp"},	 {16, "fma4"},
	{17, "tce"},	      {19, "nodeid_msr"}, {21, "tbm"},	 {22, "topoext"},
	{23, "perfctr_core"}, {24, "perfctr_nb"}, {26, "bpext"}, {27, "ptsc"},
	{28, "perfctr_llc"},  {29, "mwaitx"},	  {0, NULL},
};
static const struct cpu_flag l7_ebx[] = {
	{0, "fsgsbase"},    {1, "tsc_adjust"}, {2, "sgx"},	 {3, "bmi1"},
	{4, "hle"},	    {5, "avx2"},       {7, "smep"},	 {8, "bmi2"},
	{9, "erms"},	    {10, "invpcid"},   {11, "rtm"},	 {12, "cqm"},
	{14, "mpx"},	    {15, "rdt_a"},     {16, "avx512f"},	 {17, "avx512dq"},
	{18, "rdseed"},	    {19, "adx"},       {20, "smap"},	 {21, "avx512ifma"},
	{23, "clflushopt"}, {24, "clwb"},      {25, "intel_pt"}, {26, "avx512pf"},
	{27, "avx512er"},   {28, "avx512cd"},  {29, "sha_ni"},	 {30, "avx512bw"},
	{31, "avx512vl"},   {0, NULL},
};
static const struct cpu_flag l7_ecx[] = {
	{1, "avx512vbmi"},
	{2, "umip"},
	{3, "pku"},
	{4, "ospke"},
	{5, "waitpkg"},
	{6, "avx512_vbmi2"},
	{8, "gfni"},
	{9, "vaes"},
	{10, "vpclmulqdq"},
	{11, "avx512_vnni"},
	{12, "avx512_bitalg"},
	{13, "tme"},
	{14, "avx512_vpopcntdq"},
	{16, "la57"},
	{22, "rdpid"},
	{24, "bus_lock_detect"},
	{25, "cldemote"},
	{27, "movdiri"},
	{28, "movdir64b"},
	{29, "enqcmd"},
	{30, "sgx_lc"},
	{0, NULL},
};
static const struct cpu_flag l7_edx[] = {
	{2, "avx512_4vnniw"},
	{3, "avx512_4fmaps"},
	{4, "fsrm"},
	{8, "avx512_vp2intersect"},
	{10, "md_clear"},
	{14, "serialize"},
	{16, "tsxldtrk"},
	{18, "pconfig"},
	{19, "arch_lbr"},
	{20, "ibt"},
	{22, "amx_bf16"},
	{23, "avx512_fp16"},
	{24, "amx_tile"},
	{25, "amx_int8"},
	{28, "flush_l1d"},
	{29, "arch_capabilities"},
	{0, NULL},
};

static void flags_of(struct hut_text *t, const struct cpu_flag *f, uint32_t reg)
{
	for (; f->name; f++)
		if (reg & (1u << f->bit)) {
			hut_text_char(t, ' ');
			hut_text_str(t, f->name);
		}
}

static void cpuinfo_flags(struct hut_text *t, uint32_t max_leaf, uint32_t max_ext)
{
	uint32_t l1[4], x1[4] = {0}, l7[4] = {0};
	cpuid(1, l1);
	if (max_ext >= 0x80000001)
		cpuid(0x80000001, x1);
	if (max_leaf >= 7)
		cpuid(7, l7);
	hut_text_str(t, "flags\t\t:");
	flags_of(t, w1_edx, l1[3]);
	flags_of(t, x1_edx, x1[3]);
	flags_of(t, w1_ecx, l1[2] & ~(1u << 27)); /* OSXSAVE: Linux does not show it */
	flags_of(t, x1_ecx, x1[2]);
	flags_of(t, l7_ebx, l7[1]);
	flags_of(t, l7_ecx, l7[2]);
	flags_of(t, l7_edx, l7[3]);
	hut_text_char(t, '\n');
}

/* The brand string of leaves 0x80000002-4, without its leading blanks. */
static void model_name(struct hut_text *t, uint32_t max_ext)
{
	char brand[49] = {0};
	const char *s = brand;
	if (max_ext >= 0x80000004)
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002 + i, (uint32_t *)(brand + 16 * i));
	while (*s == ' ')
		s++;
	hut_text_str(t, *s ? s : "unknown");
}

static void info(struct hut_text *t, const char *name, uint64_t v)
{
	hut_text_str(t, name);
	hut_text_str(t, ": ");
	hut_text_u64(t, v);
	hut_text_char(t, '\n');
}

/* Thousandths, as "%u.%03u". */
static void thousandths(struct hut_text *t, uint64_t v)
{
	hut_text_u64(t, v / 1000);
	hut_text_char(t, '.');
	hut_text_u64_w(t, v % 1000 / 100, 1);
	hut_text_u64_w(t, v % 100 / 10, 1);
	hut_text_u64_w(t, v % 10, 1);
}

/* One processor: the appliance's one vCPU, as CPUID describes it. */
void hut_proc_cpuinfo(struct hut_text *t, const struct hut_proc_ctx *c)
{
	uint32_t l0[4], l1[4], x0[4], x8[4] = {0};
	char vendor[13];
	uint64_t khz = hut_boot_info->tsc_khz;
	(void)c;
	cpuid(0, l0);
	cpuid(1, l1);
	cpuid(0x80000000, x0);
	if (x0[0] >= 0x80000008)
		cpuid(0x80000008, x8);
	hut_memcpy(vendor, &l0[1], 4);
	hut_memcpy(vendor + 4, &l0[3], 4);
	hut_memcpy(vendor + 8, &l0[2], 4);
	vendor[12] = 0;
	uint32_t family = (l1[0] >> 8) & 0xf, model = (l1[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (l1[0] >> 20) & 0xff;
	if (family >= 6)
		model += ((l1[0] >> 16) & 0xf) << 4;
	info(t, "processor\t", 0);
	hut_text_str(t, "vendor_id\t: ");
	hut_text_str(t, vendor);
	hut_text_char(t, '\n');
	info(t, "cpu family\t", family);
	info(t, "model\t\t", model);
	hut_text_str(t, "model name\t: ");
	model_name(t, x0[0]);
	hut_text_char(t, '\n');
	info(t, "stepping\t", l1[0] & 0xf);
	hut_text_str(t, "cpu MHz\t\t: ");
	thousandths(t, khz);
	hut_text_str(t, "\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n"
			"apicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: yes\nfpu_exception\t: yes\n");
	info(t, "cpuid level\t", l0[0]);
	hut_text_str(t, "wp\t\t: yes\n");
	cpuinfo_flags(t, l0[0], x0[0]);
	hut_text_str(t, "bugs\t\t:\nbogomips\t: ");
	hut_text_u64(t, khz * 2 / 1000);
	hut_text_char(t, '.');
	hut_text_u64_w(t, khz * 2 / 10 % 100 / 10, 1);
	hut_text_u64_w(t, khz * 2 / 10 % 10, 1);
	hut_text_char(t, '\n');
	info(t, "clflush size\t", ((l1[1] >> 8) & 0xff) * 8);
	info(t, "cache_alignment\t", ((l1[1] >> 8) & 0xff) * 8);
	hut_text_str(t, "address sizes\t: ");
	hut_text_u64(t, x8[0] & 0xff);
	hut_text_str(t, " bits physical, ");
	hut_text_u64(t, (x8[0] >> 8) & 0xff);
	hut_text_str(t, " bits virtual\npower management:\n\n");
}

/* Load averages, as Linux keeps them (fixed point, 11 bits, decayed every
 * 5 s by exp(-5/60), exp(-5/300), exp(-5/900)), from what the clock knows:
 * over each 5 s period the vCPU's busy share is the number running. The
 * periods are caught up on when the file is read. */
#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)
#define LOAD_PERIOD_NS (5 * HUT_NS_PER_S)

static uint64_t load[3];

static void load_update(void)
{
	static const uint64_t decay[3] = {1884, 2014, 2037};
	static uint64_t last_ns, last_busy;
	uint64_t now = hut_time_since_boot_ns(), busy = hut_busy_time_ns();
	uint64_t periods = (now - last_ns) / LOAD_PERIOD_NS;
	if (periods == 0)
		return;
	uint64_t running = (busy - last_busy) * FIXED_1 / (now - last_ns);
	if (periods > 1000)
		periods = 1000; /* after that long every average is the share itself */
	for (uint64_t p = 0; p < periods; p++)
		for (int i = 0; i < 3; i++)
			load[i] = (load[i] * decay[i] + running * (FIXED_1 - decay[i])) >> FSHIFT;
	last_ns += periods * LOAD_PERIOD_NS;
	last_busy = busy;
}

static void load_value(struct hut_text *t, uint64_t v)
{
	uint64_t centis = ((v & (FIXED_1 - 1)) * 100 + FIXED_1 / 200) >> FSHIFT;
	hut_text_u64(t, (v >> FSHIFT) + centis / 100);
	hut_text_char(t, '.');
	hut_text_u64_w(t, centis % 100 / 10, 1);
	hut_text_u64_w(t, centis % 10, 1);
}

static unsigned threads_running(int *max_tid)
{
	const struct hut_thread *th = hut_thread_now;
	unsigned n = 0;
	*max_tid = 0;
	do {
		n += th == hut_thread_now || !th->waiting;
		if (th->tid > *max_tid)
			*max_tid = th->tid;
		th = th->next;
	} while (th != hut_thread_now);
	return n;
}

void hut_proc_loadavg(struct hut_text *t, const struct hut_proc_ctx *c)
{
	int max_tid;
	unsigned running = threads_running(&max_tid);
	(void)c;
	load_update();
	for (int i = 0; i < 3; i++) {
		load_value(t, load[i]);
		hut_text_char(t, ' ');
	}
	hut_text_u64(t, running);
	hut_text_char(t, '/');
	hut_text_u64(t, hut_threads_live);
	hut_text_char(t, ' ');
	hut_text_u64(t, (uint64_t)max_tid);
	hut_text_char(t, '\n');
}

void hut_proc_uptime(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	hut_text_centis(t, hut_time_since_boot_ns());
	hut_text_char(t, ' ');
	hut_text_centis(t, hut_clock.idle_ns);
	hut_text_char(t, '\n');
}

static void cpu_line(struct hut_text *t, const char *name)
{
	hut_text_str(t, name);
	hut_text_u64(t, ticks(hut_busy_time_ns())); /* user */
	hut_text_str(t, " 0 0 ");		    /* nice system */
	hut_text_u64(t, ticks(hut_clock.idle_ns));  /* idle */
	hut_text_str(t, " 0 0 0 0 0 0\n");	    /* iowait irq softirq steal guest guest_nice */
}

void hut_proc_sysstat(struct hut_text *t, const struct hut_proc_ctx *c)
{
	int max_tid;
	unsigned running = threads_running(&max_tid);
	(void)c;
	cpu_line(t, "cpu  ");
	cpu_line(t, "cpu0 ");
	hut_text_str(t, "intr 0\nctxt 0\nbtime ");
	hut_text_u64(t, hut_clock.wallclock_origin / HUT_NS_PER_S);
	hut_text_str(t, "\nprocesses ");
	hut_text_u64(t, (uint64_t)max_tid); /* tids are handed out in order from 1 */
	hut_text_str(t, "\nprocs_running ");
	hut_text_u64(t, running);
	hut_text_str(t, "\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

void hut_proc_version(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	hut_text_str(t, "hut version " HUT_VERSION " (hut libos, Linux x86-64 syscall ABI)\n");
}

void hut_proc_filesystems(struct hut_text *t, const struct hut_proc_ctx *c)
{
	/* The file systems' struct hut_fs_ops type names. */
	static const char *const all[] = {"hutimage", "tmpfs", "devtmpfs", "proc", "hutvolume"};
	(void)c;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		hut_text_str(t, "nodev\t");
		hut_text_str(t, all[i]);
		hut_text_char(t, '\n');
	}
}
