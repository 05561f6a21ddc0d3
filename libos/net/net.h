/*
 * The libos's network: lwIP (lwip/lwip.mk) on the monitor's rings
 * (netif.c), and the port lwIP needs (port.c).
 */
#ifndef HUT_LIBOS_NET_H
#define HUT_LIBOS_NET_H

#include "base/base.h"

#include <stdint.h>

/* netif.c: starts lwIP and the device (if the monitor gave one). */
void hut_net_boot(void);
/* Runs the stack: received frames in, timers, loopback, the batch's kick.
 * Returns how many frames came in. */
int hut_net_poll(void);
/* Kicks the I/O thread if frames wait and it sleeps. */
void hut_net_flush(void);
/* Sleeps until the device has news, lwIP's next timer, or max_ns. */
void hut_net_idle(uint64_t max_ns);
/* Gives what the sockets still owe the device a moment to leave. */
void hut_net_linger(void);
/* start.c: the network's start, at the first socket() (once). */
void hut_net_start(void);

#endif
