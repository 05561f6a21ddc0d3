/* What lwIP asks of its platform (lwip/arch/cc.h): time, randomness, asserts. */
#include "libos.h"
#include "net.h"

#include "lwip/sys.h"

u32_t sys_now(void)
{
	return (u32_t)(hut_time_since_boot_ns() / 1000000u);
}

uint32_t hut_net_random(void)
{
	uint32_t r;
	hut_random_fill(&r, sizeof r);
	return r;
}

_Noreturn void hut_net_assert(const char *msg, const char *file, int line)
{
	char buf[256], *p = buf, *end = buf + sizeof buf - 2;
	p = hut_append(p, end, "hut: lwIP assertion failed: ");
	p = hut_append(p, end, msg);
	p = hut_append(p, end, " (");
	p = hut_append(p, end, file);
	p = hut_append(p, end, ":");
	p = hut_append_u64(p, end, (uint64_t)line);
	p = hut_append(p, end, ")\n");
	*p = 0;
	hut_console_print(2, buf);
	hut_exit(HUT_EXIT_SIGNAL, 6);
}
