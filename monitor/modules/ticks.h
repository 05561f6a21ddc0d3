/*
 * The ticks module's arithmetic (ticks.c), apart so that it can be tested
 * without a guest: when the host timer is set after a tick.
 */
#ifndef HUT_MONITOR_TICKS_H
#define HUT_MONITOR_TICKS_H

#include <stdint.h>

/* The least time between a tick and the next: several vCPU entries and
 * exits on a nested KVM (~45 µs each on kvm-pvm), so that the guest runs
 * in between; a spinning app's timer due sooner fires late by as much,
 * its overruns counted. */
#define HUT_TICK_GAP_NS 200000ull

/* Guest time for the host timer after a tick at guest time now, whose box
 * said deadline and then (0: nothing after); 0: none. */
uint64_t hut_tick_after(uint64_t deadline, uint64_t then, uint64_t now);

#endif
