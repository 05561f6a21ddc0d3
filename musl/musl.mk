# musl/musl.mk: the libc hut images link (included by the top Makefile).
#
# Debian's musl source package (the version of the musl-dev the libos and
# the monitor are built against) is fetched and checked by
# scripts/debian-source.sh, copied, given hut's two files, and built into
# $(MUSL_DIR): lib/ (libc.a, crt1.o, crti.o, crtn.o, the empty libm.a etc.)
# and include/. `hut build` and hut-cc find it next to libhut.a.
#
# hut's files (see README.md, "The libc"):
#   musl/syscall_arch.h      -> arch/x86_64/syscall_arch.h: __syscall0..6
#                               call the libos dispatcher, not `syscall`
#   musl/__set_thread_area.c -> src/thread/x86_64/ (in place of musl's .s,
#                               which executes `syscall` at every start-up)
# Like Debian's build (debian/rules), fts from debian/musl-fts is added and
# the code is built -O2 with -fstack-protector-strong. Unlike it, crypt is
# kept: Debian deletes src/crypt and crypt.h (debian/clean) when it packages.

MUSL_VERSION := 1.2.3-1
MUSL_SRC     := $(BUILD)/src/musl-$(MUSL_VERSION)
MUSL_WORK    := $(BUILD)/musl
MUSL_DIR     := $(LIBDIR)/musl
MUSL_LIBC    := $(MUSL_DIR)/lib/libc.a
MUSL_HUT_FILES := musl/syscall_arch.h musl/__set_thread_area.c
MUSL_CFLAGS  := -O2 -fstack-protector-strong

# The source directory carries the version: a new one is fetched anew.
$(MUSL_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh musl $(MUSL_VERSION) $(MUSL_SRC)

# musl's Makefile does not track its internal headers: any change to hut's
# files rebuilds musl from a fresh copy.
$(MUSL_LIBC): $(MUSL_SRC)/.hut-debian-source $(MUSL_HUT_FILES) musl/musl.mk
	@echo "  MUSL    $(MUSL_DIR) (log: $(MUSL_WORK).log)"
	@rm -rf $(MUSL_WORK) $(MUSL_DIR)
	@cp -a $(MUSL_SRC) $(MUSL_WORK)
	@cp musl/syscall_arch.h $(MUSL_WORK)/arch/x86_64/syscall_arch.h
	@rm $(MUSL_WORK)/src/thread/x86_64/__set_thread_area.s
	@cp musl/__set_thread_area.c $(MUSL_WORK)/src/thread/x86_64/
	@mkdir -p $(MUSL_WORK)/src/fts
	@cp $(MUSL_WORK)/debian/musl-fts/fts.c $(MUSL_WORK)/debian/musl-fts/config.h \
		$(MUSL_WORK)/src/fts/
	@cp $(MUSL_WORK)/debian/musl-fts/fts.h $(MUSL_WORK)/include/
	@cd $(MUSL_WORK) && ./configure --prefix=$(abspath $(MUSL_DIR)) --disable-shared \
		CC=$(HOSTCC) CFLAGS="$(MUSL_CFLAGS)" >$(abspath $(MUSL_WORK)).log 2>&1 \
		|| { tail -20 $(abspath $(MUSL_WORK)).log; exit 1; }
	@$(MAKE) -C $(MUSL_WORK) install-libs install-headers >>$(MUSL_WORK).log 2>&1 \
		|| { tail -20 $(MUSL_WORK).log; exit 1; }
	@test -f $@

musl: $(MUSL_LIBC)
.PHONY: musl
