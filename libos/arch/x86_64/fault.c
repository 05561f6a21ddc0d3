/*
 * Page faults at CPL3 (fault.h): the state the #PF gate fills, the handler
 * the memory layer installs, and the frame a fault nobody takes is reported
 * with (the one the crash stubs would have stored: the monitor's report and
 * --core read it).
 */
#include "fault.h"

#include <hut/abi.h>

#define USER_CS 0x23 /* the monitor's GDT: user code, RPL 3 */
#define USER_SS 0x1b
#define SAVED_RAX HUT_GPR_RAX

struct hut_fault_state hut_fault_state;
struct hut_trap_frame hut_fault_frame;
unsigned char hut_fault_wanted; /* read by traps.S's gate */
unsigned char hut_trap_ends_process;
static hut_fault_fn handler;
static int (*fatal_wants)(void);
static void (*fatal_end)(const struct hut_fault_state *s);

void hut_fault_on_fatal(int (*wants)(void), void (*end)(const struct hut_fault_state *s))
{
	fatal_wants = wants;
	fatal_end = end;
}

/* fault_upcall.S, on the ending thread's libos stack, the fault stack free
 * again: a copy of the state and of the registers it saved (saved) first,
 * as another fault may now come. */
void hut_fault_end(const uint64_t *saved);
void hut_fault_end(const uint64_t *saved)
{
	struct hut_fault_state s = hut_fault_state;
	for (int i = 0; i <= HUT_GPR_RAX; i++)
		s.gpr[i] = saved[i];
	fatal_end(&s);
	__builtin_trap(); /* the end hook never returns */
}

void hut_fault_take(hut_fault_fn fn)
{
	handler = fn;
	hut_fault_wanted = fn != 0;
}

int hut_fault_dispatch(const uint64_t *saved);

int hut_fault_dispatch(const uint64_t *saved)
{
	struct hut_fault_state *s = &hut_fault_state;
	if (handler && handler(s->addr, s->error, s->rip) == 0)
		return 0;
	if (fatal_wants && fatal_wants()) {
		s->vector = 14;
		return 2; /* the process ends, not the appliance */
	}
	hut_fault_frame = (struct hut_trap_frame){
		.rax = saved[SAVED_RAX],
		.vector = 14,
		.error_code = s->error,
		.rip = s->rip,
		.cs = USER_CS,
		.rflags = s->rflags,
		.rsp = s->rsp,
		.ss = USER_SS,
	};
	return 1;
}
