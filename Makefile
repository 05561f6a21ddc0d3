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
CFLAGS_HOST := -std=gnu11 -O2 -g $(WARN) -Iinclude -Imonitor -Iimage -D_GNU_SOURCE

# The libos runs under musl's headers, between the app's syscalls: no SSE
# (it must not clobber the app's XMM registers), no red zone, no canary
# (it runs before TLS exists).
MUSL_INC := /usr/include/x86_64-linux-musl
GCC_INC  := $(shell $(HOSTCC) -print-file-name=include)
CFLAGS_LIBOS := -std=gnu11 -O2 $(WARN) -nostdinc -isystem $(MUSL_INC) -isystem $(GCC_INC) \
	-Iinclude -Ilibos -mgeneral-regs-only -mno-red-zone -fno-stack-protector \
	-ffreestanding -fno-pie -fno-builtin -fno-asynchronous-unwind-tables

MONITOR_SRC := $(filter-out monitor/main.c,$(wildcard monitor/*.c)) image/packed.c
BUILDER_SRC := $(filter-out builder/bench_main.c,$(wildcard builder/*.c))
LIBOS_SRC   := $(wildcard libos/*.c libos/fs/*.c libos/arch/x86_64/*.c)
LIBOS_ASM   := $(wildcard libos/arch/x86_64/*.S)
APPS        := $(notdir $(wildcard apps/*))
APP_IMAGES  := $(patsubst %,$(BUILD)/apps/%.hut,$(filter-out mkproject,$(APPS)))

MONITOR_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(MONITOR_SRC))
BUILDER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(BUILDER_SRC))
LIBOS_OBJ   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBOS_SRC)) \
	       $(patsubst %.S,$(BUILD)/obj/%.o,$(LIBOS_ASM)) $(BUILD)/obj/libos/syscall_names.o

PROGRAMS := $(BIN)/hut $(BIN)/hut-monitor $(BIN)/hut-cc $(BIN)/hut-bench
RUNTIME  := $(LIBDIR)/libhut.a $(LIBDIR)/hut.ld

.PHONY: all deps demo test unit-tests bench-boot install clean
.SECONDARY:
all: deps $(PROGRAMS) $(RUNTIME) $(APP_IMAGES)

deps:
	@scripts/deps.sh build

# --- host programs ---------------------------------------------------------
$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) $(CFLAGS_HOST) -MMD -MP -c -o $@ $<

# hut-monitor is a static musl program with no library dependencies: on
# kvm-pvm hosts every CPUID is a VM exit (~11 µs), and glibc's start-up runs
# enough of them to cost ~0.9 ms per launch; musl's runs none. Its objects are
# built a second time, with musl's headers (the kernel's uapi headers after).
CFLAGS_MUSL := -std=gnu11 -O2 -g $(WARN) -Iinclude -Imonitor -Iimage -Ibuilder -D_GNU_SOURCE \
	-idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include
MONITOR_MUSL_OBJ := $(patsubst %.c,$(BUILD)/obj-musl/%.o,$(MONITOR_SRC) monitor/main.c)

$(BUILD)/obj-musl/%.o: %.c | deps
	@echo "  MUSLCC  $<"
	@mkdir -p $(dir $@)
	@musl-gcc $(CFLAGS_MUSL) -MMD -MP -c -o $@ $<

$(BIN)/hut-monitor: $(MONITOR_MUSL_OBJ)
	@mkdir -p $(dir $@)
	musl-gcc -static -o $@ $^

# `hut` shares the image reader with the monitor: one validation code path.
# `hut bench` runs hut-bench, a static musl program (builder/bench_main.c).
BENCH_ONLY := $(addprefix builder/,bench.c bench_json.c bench_launch.c bench_report.c \
	bench_run.c bench_storm.c bench_svg.c bench_trace.c stats.c)
BENCH_SRC  := $(BENCH_ONLY) builder/bench_main.c $(addprefix builder/,args.c diag.c workdir.c \
	run.c toolchain.c pack.c json.c) $(addprefix monitor/,image.c crc32.c) image/packed.c
HUT_OBJ    := $(filter-out $(patsubst %.c,$(BUILD)/obj/%.o,$(BENCH_ONLY)),$(BUILDER_OBJ))

$(BIN)/hut: $(HUT_OBJ) $(addprefix $(BUILD)/obj/monitor/,image.o size.o crc32.o) \
	$(BUILD)/obj/image/packed.o
	@mkdir -p $(dir $@)
	$(HOSTCC) -o $@ $^ -lelf -lz

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

$(BUILD)/obj/libos/syscall_names.o: $(BUILD)/gen/syscall_names.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS_LIBOS) -c -o $@ $<

$(LIBDIR)/libhut.a: $(LIBOS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBDIR)/hut.ld: builder/hut.ld
	@mkdir -p $(dir $@)
	cp $< $@

# --- example appliances -------------------------------------------------------
# An app folder may hold a `hutflags` file: extra `hut build` arguments.
$(BUILD)/apps/%.hut: apps/%/*.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $(filter %.c,$^) $(shell cat apps/$*/hutflags 2>/dev/null)

# --- quickstart -----------------------------------------------------------------
demo: all
	@echo "== ./$(BUILD)/apps/hello.hut world   (as a Linux process)"
	@./$(BUILD)/apps/hello.hut world
	@echo "== $(BIN)/hut-monitor --trace-boot $(BUILD)/apps/hello.hut world   (as a KVM appliance)"
	@$(BIN)/hut-monitor --trace-boot $(BUILD)/apps/hello.hut world

# --- tests and benchmarks ---------------------------------------------------------
# Each tests/unit/NAME.c is a Criterion program linked with the monitor's and
# builder's objects (minus their main).
UNIT_SRC   := $(wildcard tests/unit/*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
LIB_OBJ    := $(MONITOR_OBJ) $(filter-out $(BUILD)/obj/builder/main.o,$(BUILDER_OBJ))

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJ)
	@scripts/deps.sh test
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(HOSTCC) $(CFLAGS_HOST) -Ibuilder -o $@ $< $(LIB_OBJ) -lcriterion -lelf -lz

unit-tests: $(UNIT_BINS)

# The monitor under ASan and UBSan (glibc, dynamic: the sanitizers need it),
# for tests/integration/asan.sh: the hostile guests must not trip them.
$(BUILD)/asan/hut-monitor: $(MONITOR_SRC) monitor/main.c $(wildcard monitor/*.h include/hut/*.h)
	@scripts/deps.sh test
	@mkdir -p $(dir $@)
	@echo "  ASAN    $@"
	@clang $(CFLAGS_HOST) -Wno-gnu-variable-sized-type-not-at-end -O1 -fno-omit-frame-pointer \
		-fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -DHUT_SANITIZED -o $@ $(MONITOR_SRC) monitor/main.c

test: all unit-tests $(BUILD)/asan/hut-monitor
	@tests/run-all.sh

$(BUILD)/bench/kvm-floor: bench/kvm-floor.c
	@mkdir -p $(dir $@)
	musl-gcc $(CFLAGS_MUSL) -static -o $@ $<

bench-boot: all $(BUILD)/bench/kvm-floor
	@bench/boot.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/hut $(DESTDIR)$(PREFIX)/include/hut
	install -m 755 $(BIN)/hut $(BIN)/hut-monitor $(BIN)/hut-bench $(DESTDIR)$(PREFIX)/bin/
	ln -sf hut $(DESTDIR)$(PREFIX)/bin/hut-cc
	install -m 644 $(RUNTIME) $(DESTDIR)$(PREFIX)/lib/hut/
	install -m 644 include/hut/abi.h $(DESTDIR)$(PREFIX)/include/hut/

clean:
	rm -rf $(BUILD)

# Rules owned by the test and benchmark folders.
-include tests/guests/guests.mk tests/fuzz/fuzz.mk tests/sud/sud.mk bench/bench.mk

-include $(shell find $(BUILD)/obj $(BUILD)/obj-musl -name '*.d' 2>/dev/null)
