# hut: build the builder, the monitor, the libos and the example appliances.
# `make demo` and `make test` are the quickstart; see README.md.

BUILD   := build
BIN     := $(BUILD)/bin
LIBDIR  := $(BUILD)/lib/hut
PREFIX  ?= /usr/local

# Host programs are always built with gcc: `make CC=...` is how a *user's*
# project picks hut-cc, so our own tree must not follow CC.
HOSTCC  := gcc
WARN    := -Wall -Wextra -Werror -Wpointer-arith
# Every host program sees the ABI (include/), the image format (image/), the
# command-line reading they share (cli/) and the rest of their shared code
# (common/); a folder's own header sits next to its sources.
CFLAGS_HOST := -std=gnu11 -O2 -g $(WARN) -Iinclude -Iimage -Icli -Icommon -D_GNU_SOURCE

# The libos runs under musl's headers, between the app's syscalls: no SSE
# (it must not clobber the app's XMM registers), no red zone, no canary
# (it runs before TLS exists).
MUSL_INC := /usr/include/x86_64-linux-musl
GCC_INC  := $(shell $(HOSTCC) -print-file-name=include)
# Each function and object in its own section: an image links only the
# syscall handlers it can reach (`hut build` gives it a table of those and
# links with --gc-sections, builder/syscall_table.c). Position-independent
# code: the libos is linked in a window of its own at 64 GiB (builder/hut.ld),
# out of reach of the small code model's 32-bit absolute addresses, which
# -fpie never uses (only %rip-relative ones, within the window).
CFLAGS_LIBOS := -std=gnu11 -O2 $(WARN) -nostdinc -isystem $(MUSL_INC) -isystem $(GCC_INC) \
	-Iinclude -Ilibos -mgeneral-regs-only -mno-red-zone -fno-stack-protector \
	-ffreestanding -fpie -include hut/hidden.h -fno-builtin -fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections
# The libos calls none of the app's code: not even the memcpy and memset
# that gcc emits for a struct copy, which would be musl's, at the app's
# addresses, and another image's code after an exec. Its archives take the
# libos's own (libos/base/string.c).
LIBOS_OWN_STRING := --redefine-sym memcpy=hut_memcpy --redefine-sym memset=hut_memset

# The image format, shared by hut and hut-monitor. The reader is libelf-free
# (hut-monitor is a static musl program); the manifest writer uses libelf and
# goes into hut only.
IMAGE_READER_SRC := image/image.c image/crc32.c image/size.c image/packed.c
IMAGE_WRITER_SRC := image/manifest.c
CLI_SRC := cli/option.c
# Code the host programs share besides those (common/: the JSON string writer).
COMMON_SRC := $(wildcard common/*.c)
MONITOR_SRC := $(filter-out monitor/main.c,$(wildcard monitor/*.c monitor/modules/*.c))
BUILDER_SRC := $(wildcard builder/*.c)
# hut-oci, the OCI runtime (oci/): a static musl program like the monitor.
OCI_SRC     := $(filter-out oci/main.c,$(wildcard oci/*.c))
# hut-bench, the benchmark harness: it uses the builder's helpers (argument
# vectors, messages, temporary files, running programs, OCI bundles).
BENCH_HARNESS_SRC := $(filter-out bench/harness/main.c,$(wildcard bench/harness/*.c))
BENCH_BUILDER_SRC := $(addprefix builder/,args.c diag.c workdir.c run.c toolchain.c pack.c)
LIBOS_SRC   := $(wildcard libos/arch/x86_64/*.c libos/base/*.c libos/mem/*.c libos/proc/*.c \
	libos/fd/*.c libos/fs/*.c libos/unix/*.c libos/sys/*.c)
LIBOS_ASM   := $(wildcard libos/arch/x86_64/*.S libos/sys/*.S)
APPS        := $(notdir $(wildcard apps/*))
APP_IMAGES  := $(patsubst %,$(BUILD)/apps/%.hut,$(filter-out mkproject,$(APPS)))

IMAGE_OBJ   := $(patsubst %.c,$(BUILD)/obj/%.o,$(IMAGE_READER_SRC) $(IMAGE_WRITER_SRC))
CLI_OBJ     := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
COMMON_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_SRC))
MONITOR_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(MONITOR_SRC))
# The builder also carries the libos's table rows and the kernel's syscall
# names, generated (below) for `hut inspect --syscalls` and `hut build`.
BUILDER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(BUILDER_SRC)) \
	$(BUILD)/obj/gen/syscall_rows.o $(BUILD)/obj/gen/syscall_names.o
OCI_OBJ     := $(patsubst %.c,$(BUILD)/obj/%.o,$(OCI_SRC))
BENCH_HARNESS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(BENCH_HARNESS_SRC))
LIBOS_OBJ   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBOS_SRC)) \
	       $(patsubst %.S,$(BUILD)/obj/%.o,$(LIBOS_ASM)) $(BUILD)/obj/libos/syscall_names.o

# The libc images link: Debian's musl source with hut's syscall header.
.DEFAULT_GOAL := all
include musl/musl.mk
# The TCP/IP stack: Debian's lwIP source, built freestanding (lwip/lwip.mk),
# with the libos's network glue (libos/net/) into libhut-net.a.
include lwip/lwip.mk
# The JSON library hut-oci links: Debian's jansson source, built with musl.
include jansson/jansson.mk
LIBOS_NET_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard libos/net/*.c))

PROGRAMS := $(BIN)/hut $(BIN)/hut-monitor $(BIN)/hut-cc $(BIN)/hut-bench $(BIN)/hut-oci
RUNTIME  := $(LIBDIR)/libhut.a $(LIBDIR)/libhut-net.a $(LIBDIR)/hut.ld $(LIBDIR)/hut.specs \
	$(MUSL_LIBC) $(LIBDIR)/uapi/.hut $(MUSL_DIR)/include/hut/ready.h

.PHONY: all deps demo test test-deps test-nested unit-tests bench-boot install clean
.SECONDARY:
all: deps $(PROGRAMS) $(RUNTIME) $(APP_IMAGES)

deps:
	@scripts/deps.sh build

# --- host programs ---------------------------------------------------------
$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) $(CFLAGS_HOST) $(FOLDER_INC) -MMD -MP -c -o $@ $<

# The harness includes the builder's header; nothing else reaches into
# another program's folder.
$(BUILD)/obj/bench/%.o $(BUILD)/obj-musl/bench/%.o: FOLDER_INC := -Ibuilder

# hut-monitor is a static musl program with no library dependencies: on
# kvm-pvm hosts every CPUID is a VM exit (~11 µs), and glibc's start-up runs
# enough of them to cost ~0.9 ms per launch; musl's runs none. Its objects are
# built a second time, with musl's headers (the kernel's uapi headers after).
CFLAGS_MUSL := -std=gnu11 -O2 -g $(WARN) -Iinclude -Iimage -Icli -Icommon -D_GNU_SOURCE \
	-idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include
MONITOR_MUSL_OBJ := $(patsubst %.c,$(BUILD)/obj-musl/%.o,$(MONITOR_SRC) monitor/main.c \
	$(IMAGE_READER_SRC) $(CLI_SRC))

$(BUILD)/obj-musl/%.o: %.c | deps
	@echo "  MUSLCC  $<"
	@mkdir -p $(dir $@)
	@musl-gcc $(CFLAGS_MUSL) $(FOLDER_INC) -MMD -MP -c -o $@ $<

$(BIN)/hut-monitor: $(MONITOR_MUSL_OBJ)
	@mkdir -p $(dir $@)
	musl-gcc -static -o $@ $^

# hut-oci runs for every container operation an orchestrator makes: static
# musl for the same start-up reason. Its JSON is jansson's, built from
# Debian's source with musl (jansson/jansson.mk: Debian ships jansson for
# glibc only), under hut-oci's rules (oci/json.c). It reads images with the
# monitor's reader.
OCI_MUSL_OBJ := $(patsubst %.c,$(BUILD)/obj-musl/%.o,$(OCI_SRC) oci/main.c)
$(OCI_MUSL_OBJ): FOLDER_INC := -I$(JANSSON_INC) -Imonitor
$(OCI_MUSL_OBJ): | $(JANSSON_HEADERS)
# A snapshot's header is checked as the monitor checks it (oci/snapshot.c).
$(BIN)/hut-oci: $(OCI_MUSL_OBJ) $(patsubst %.c,$(BUILD)/obj-musl/%.o,$(IMAGE_READER_SRC) \
	$(CLI_SRC) $(COMMON_SRC) monitor/snapshot_format.c) $(JANSSON_LIB)
	@mkdir -p $(dir $@)
	musl-gcc -static -o $@ $^

# `hut` shares the image reader with the monitor: one validation code path.
# libelf writes the manifest, libcrypto hashes OCI blobs, jansson reads the
# OCI images `hut inspect` is given.
BUILDER_LIBS := -lelf -lz -lcrypto -ljansson
$(BIN)/hut: $(BUILDER_OBJ) $(IMAGE_OBJ) $(CLI_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(HOSTCC) -o $@ $^ $(BUILDER_LIBS)

# `hut bench` runs hut-bench, a static musl program (bench/harness/main.c).
BENCH_SRC := $(BENCH_HARNESS_SRC) bench/harness/main.c $(BENCH_BUILDER_SRC) $(COMMON_SRC)
$(BIN)/hut-bench: $(patsubst %.c,$(BUILD)/obj-musl/%.o,$(BENCH_SRC))
	@mkdir -p $(dir $@)
	musl-gcc -static -o $@ $^

# hut-cc is hut itself: it looks at argv[0].
$(BIN)/hut-cc: $(BIN)/hut
	ln -sf hut $@

# --- libos -------------------------------------------------------------------
$(BUILD)/obj/libos/%.o: libos/%.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) $(CFLAGS_LIBOS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/libos/%.o: libos/%.S | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) $(CFLAGS_LIBOS) -MMD -MP -c -o $@ $<

# Syscall names for the "not implemented" warning, from the kernel's own list.
$(BUILD)/gen/syscall_names.c: scripts/syscall-names.sh
	@mkdir -p $(dir $@)
	scripts/syscall-names.sh > $@

# The libos's table rows (libos/sys/syscall.c) for the builder: what an
# image's syscalls are to the libos, and the table each image links.
$(BUILD)/gen/syscall_rows.c: scripts/syscall-table.sh libos/sys/syscall.c
	@mkdir -p $(dir $@)
	scripts/syscall-table.sh libos/sys/syscall.c > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) $(CFLAGS_HOST) -Ibuilder -c -o $@ $<

$(BUILD)/obj/libos/syscall_names.o: $(BUILD)/gen/syscall_names.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS_LIBOS) -c -o $@ $<

$(LIBDIR)/libhut.a: $(LIBOS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^ && objcopy $(LIBOS_OWN_STRING) $@

# The network glue sees lwIP's headers, which exist once the source is fetched.
$(LIBOS_NET_OBJ): CFLAGS_LIBOS += $(LWIP_INC)
$(LIBOS_NET_OBJ): | $(LWIP_SRC)/.hut-debian-source

$(LIBDIR)/libhut-net.a: $(LWIP_OBJ) $(LIBOS_NET_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^ && objcopy $(LIBOS_OWN_STRING) $@

# The one hut header an app includes (hut_ready()), where hut-cc looks.
$(MUSL_DIR)/include/hut/ready.h: include/hut/ready.h | $(MUSL_LIBC)
	@mkdir -p $(dir $@)
	cp $< $@

$(LIBDIR)/hut.ld: builder/hut.ld
	@mkdir -p $(dir $@)
	cp $< $@

# The kernel's uapi headers images may include (<linux/...>, <asm/...>,
# <mtd/...>...): links to the trees Debian's linux-libc-dev installs, so that
# hut-cc adds those and not the rest of /usr/include (glibc's) to the search
# path (builder/toolchain.c).
UAPI_TREES = $(shell dpkg -L linux-libc-dev 2>/dev/null | \
	grep -E '^/usr/include/([^/]+|x86_64-linux-gnu/asm)$$' | grep -v '/x86_64-linux-gnu$$')
$(LIBDIR)/uapi/.hut: | deps
	@[ -n "$(filter %/linux,$(UAPI_TREES))" ] || { echo "no kernel headers: install linux-libc-dev" >&2; exit 1; }
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	@for d in $(UAPI_TREES); do ln -sfn $$d $(dir $@)$$(basename $$d); done
	@touch $@

# gcc specs for the image link: an empty link_libgcc drops the -L options
# gcc adds for its own and glibc's library directories (the file format has
# no comments; builder/toolchain.c says why).
$(LIBDIR)/hut.specs: builder/hut.specs
	@mkdir -p $(dir $@)
	cp $< $@

# --- example appliances -------------------------------------------------------
# An app folder may hold a `hutflags` file: extra `hut build` arguments.
$(BUILD)/apps/%.hut: apps/%/*.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $(filter %.c,$^) $(shell cat apps/$*/hutflags 2>/dev/null)

# --- quickstart -----------------------------------------------------------------
# Without a usable /dev/kvm the appliance boots in the nested guest of
# tests/vm (Debian's kernel under QEMU TCG): it works, but slowly.
demo: all
	@echo "== ./$(BUILD)/apps/hello.hut world   (as a Linux process)"
	@./$(BUILD)/apps/hello.hut world
	@echo "== $(BIN)/hut-monitor --trace-boot $(BUILD)/apps/hello.hut world   (as a KVM appliance)"
	@if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then \
		$(BIN)/hut-monitor --trace-boot $(BUILD)/apps/hello.hut world; \
	else \
		echo "== no usable /dev/kvm here: booting it in a nested KVM guest under QEMU" \
			"(software emulation; its timings are not meaningful)"; \
		tests/vm/run.sh -- $(BIN)/hut-monitor --trace-boot $(BUILD)/apps/hello.hut world; \
	fi
	@echo "== the httpd appliance on a tap in a network namespace (scripts/demo-net.sh)"
	@scripts/deps.sh net
	@if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then \
		scripts/demo-net.sh; \
	else \
		tests/vm/run.sh --timeout 600 -- scripts/demo-net.sh; \
	fi

# --- tests and benchmarks ---------------------------------------------------------
# Each tests/unit/NAME.c is a Criterion program linked with the image format's,
# monitor's, builder's and harness's objects (minus their main).
UNIT_SRC   := $(wildcard tests/unit/*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
LIB_OBJ    := $(IMAGE_OBJ) $(CLI_OBJ) $(COMMON_OBJ) $(MONITOR_OBJ) $(filter-out $(BUILD)/obj/builder/main.o,$(BUILDER_OBJ)) \
	$(BENCH_HARNESS_OBJ)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJ)
	@scripts/deps.sh test
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(HOSTCC) $(CFLAGS_HOST) -Imonitor -Imonitor/modules -Ibuilder -Ibench/harness -o $@ $< \
		$(LIB_OBJ) -lcriterion $(BUILDER_LIBS)

unit-tests: $(UNIT_BINS)

# The monitor under ASan and UBSan (glibc, dynamic: the sanitizers need it),
# for tests/integration/asan.sh: the hostile guests must not trip them.
ASAN_SRC := $(MONITOR_SRC) monitor/main.c $(IMAGE_READER_SRC) $(CLI_SRC)
$(BUILD)/asan/hut-monitor: $(ASAN_SRC) $(wildcard monitor/*.h monitor/modules/*.h image/*.h cli/*.h \
	include/hut/*.h)
	@scripts/deps.sh test
	@mkdir -p $(dir $@)
	@echo "  ASAN    $@"
	@clang $(CFLAGS_HOST) -Wno-gnu-variable-sized-type-not-at-end -O1 -fno-omit-frame-pointer \
		-fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -DHUT_SANITIZED -o $@ $(ASAN_SRC)

# What the integration tests run besides our programs (network tools,
# containerd, podman, crun, runc, the OCI schemas): installed here, so that
# `make test` on a fresh machine needs nothing done by hand.
test-deps:
	@scripts/deps.sh test
	@scripts/deps.sh oci

test: all unit-tests $(BUILD)/asan/hut-monitor test-deps
	@tests/run-all.sh

# The KVM tests on an SVM KVM nested under QEMU, even where /dev/kvm exists:
# it takes code paths kvm-pvm never does (CPL0 sysretq, XSAVE, IOPL).
test-nested: all unit-tests $(BUILD)/asan/hut-monitor test-deps
	@tests/run-all.sh --nested

$(BUILD)/bench/kvm-floor: bench/kvm-floor.c include/hut/x86.h
	@mkdir -p $(dir $@)
	musl-gcc $(CFLAGS_MUSL) -static -o $@ $<

bench-boot: all $(BUILD)/bench/kvm-floor
	@bench/boot.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/hut $(DESTDIR)$(PREFIX)/include/hut
	install -m 755 $(BIN)/hut $(BIN)/hut-monitor $(BIN)/hut-bench $(BIN)/hut-oci \
		$(DESTDIR)$(PREFIX)/bin/
	ln -sf hut $(DESTDIR)$(PREFIX)/bin/hut-cc
	install -m 644 $(LIBDIR)/libhut.a $(LIBDIR)/libhut-net.a $(LIBDIR)/hut.ld $(LIBDIR)/hut.specs \
		$(DESTDIR)$(PREFIX)/lib/hut/
	cp -R $(MUSL_DIR) $(LIBDIR)/uapi $(DESTDIR)$(PREFIX)/lib/hut/
	install -m 644 include/hut/abi.h include/hut/version.h $(DESTDIR)$(PREFIX)/include/hut/

clean:
	rm -rf $(BUILD)

# Rules owned by the test and benchmark folders.
-include tests/guests/guests.mk tests/integration/programs/programs.mk tests/fuzz/fuzz.mk \
	tests/sud/sud.mk tests/debian/debian.mk tests/integration/net/net.mk bench/bench.mk \
	bench/syscalls.mk bench/threads.mk bench/procprims.mk bench/procs.mk bench/preempt.mk

-include $(shell find $(BUILD)/obj $(BUILD)/obj-musl -name '*.d' 2>/dev/null)
