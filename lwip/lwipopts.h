/*
 * lwIP's configuration for the libos: no threads (NO_SYS: the libos runs
 * the stack from the app's own syscalls and polls), IPv4 with ARP, ICMP
 * echo, UDP, TCP and the loopback interface (127.0.0.1); no DHCP (the
 * address comes from hut-monitor --ip). Sizes are for a server with some
 * tens of connections in the default 64 MiB guest.
 */
#ifndef HUT_LWIPOPTS_H
#define HUT_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* one thread, no interrupts */
#define LWIP_SOCKET 0          /* the libos's own socket layer (libos/net) */
#define LWIP_NETCONN 0
#define LWIP_TIMERS 1

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0 /* musl's resolver speaks DNS over our UDP sockets */
#define IP_REASSEMBLY 1
#define IP_FRAG 1

#define LWIP_HAVE_LOOPIF 1     /* 127.0.0.1 */
#define LWIP_NETIF_LOOPBACK 1  /* sending to our own address */
#define LWIP_LOOPBACK_MAX_PBUFS 0

/* Memory: one lwIP heap, pools carved from it. */
#define MEM_ALIGNMENT 8
/* lwIP's heap is the libos's allocator (libos/net/heap.c), not a static
 * array: an image's .bss costs host memory at boot, arena pages only once
 * touched. MEM_SIZE is still the most lwIP may hold. */
#define MEM_LIBC_MALLOC 1
#define mem_clib_malloc hut_net_malloc
#define mem_clib_calloc hut_net_calloc
#define mem_clib_free hut_net_free
#define MEM_SIZE (4 * 1024 * 1024)
#define MEMP_MEM_MALLOC 1
#define MEMP_NUM_TCP_PCB 256
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 32
#define MEMP_NUM_TCP_SEG 1024
#define PBUF_POOL_SIZE 256

#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_KEEPALIVE 1
#define TCP_QUEUE_OOSEQ 1
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define SO_REUSE 1
#define LWIP_TCP_PCB_NUM_EXT_ARGS 1 /* tells the socket layer when lwIP frees a pcb */

#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_STATS 0
#define LWIP_NOASSERT_ON_ERROR 1

/* Checksums in software, both ways: the tap hands us plain frames. */
#define LWIP_CHKSUM_ALGORITHM 3

/* The libos cannot call the app's libc (string.c has its own). */
#define MEMCPY(dst, src, len) hut_memcpy(dst, src, len)
#define SMEMCPY(dst, src, len) hut_memcpy(dst, src, len)

#include <stddef.h>
void *hut_net_malloc(size_t n);
void *hut_net_calloc(size_t count, size_t size);
void hut_net_free(void *p);

#endif
