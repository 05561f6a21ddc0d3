# lwip/lwip.mk: the TCP/IP stack the libos's sockets run on (included by the
# top Makefile).
#
# Debian's lwIP source package (the version Debian ships, 2.1.3) is fetched
# and checked by scripts/debian-source.sh into the build tree, never
# committed, and compiled freestanding with the libos's own flags
# (CFLAGS_LIBOS: no SSE, no red zone, no canary) and hut's configuration
# (lwip/lwipopts.h, lwip/arch/cc.h). Only the pieces lwipopts.h enables are
# compiled. The result goes into libhut-net.a with the libos's socket layer
# (libos/net/); `hut build` links that archive only into images that use
# sockets.

LWIP_VERSION := 2.1.3+dfsg1-2
LWIP_SRC     := $(BUILD)/src/lwip-$(LWIP_VERSION)
LWIP_FILES   := core/def.c core/inet_chksum.c core/init.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/tcp.c core/tcp_in.c core/tcp_out.c core/timeouts.c \
	core/udp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	core/ipv4/ip4_frag.c netif/ethernet.c
LWIP_OBJ     := $(patsubst %.c,$(BUILD)/obj/lwip/%.o,$(LWIP_FILES))
LWIP_INC     := -Ilwip -I$(LWIP_SRC)/src/include
# lwIP's own code is not ours to restyle: only the warnings it trips are
# relaxed, and only for it.
# The libos must not call the app's libc (musl's C string functions may use
# SSE and clobber the app's registers): lwIP's few calls go to the libos's.
LWIP_LIBC    := -Dmemset=hut_memset -Dmemcmp=hut_net_memcmp -Dmemmove=hut_net_memmove \
	-Dstrlen=hut_strlen -Dstrncmp=hut_net_strncmp -Datoi=hut_net_atoi
CFLAGS_LWIP  := $(CFLAGS_LIBOS) $(LWIP_INC) $(LWIP_LIBC) -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Wno-address

$(LWIP_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh lwip $(LWIP_VERSION) $(LWIP_SRC)

$(BUILD)/obj/lwip/%.o: $(LWIP_SRC)/.hut-debian-source lwip/lwipopts.h lwip/arch/cc.h
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	@$(HOSTCC) $(CFLAGS_LWIP) -c -o $@ $(LWIP_SRC)/src/$*.c
