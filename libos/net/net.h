/*
 * The libos's network: lwIP (lwip/lwip.mk) on the monitor's rings
 * (netif.c), and the port lwIP needs (port.c).
 */
#ifndef HUT_LIBOS_NET_H
#define HUT_LIBOS_NET_H

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
/* The process ends (process.c, by a weak reference): socket.c closes every
 * socket, as Linux closes a dying process's fds, then netif.c lets their
 * FINs, resets and queued data reach the device, for a bounded time. */
void hut_net_exit(void);
void hut_net_linger(void);

#endif
