# Fuzz targets (libFuzzer + ASan + UBSan), built with clang straight from the
# monitor's sources. `make fuzz [FUZZ_SECONDS=N]` builds and runs each target
# for N seconds over its checked-in corpus and regressions. New inputs go to
# build/fuzz/corpus/TARGET (never into the checked-in corpus); crashes to
# build/fuzz/artifacts/. tests/integration/fuzz.sh is the short smoke run.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -Iimage -Imonitor -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_TARGETS := fuzz_image fuzz_hypercall fuzz_size fuzz_netring

# Each target's sources (the image format's and the monitor's). fuzz_hypercall links everything hut_hypercall
# reaches except fail.c (its own hut_fail longjmps back); crash.c's exit()
# calls are renamed to the harness's fuzz_exit, which does the same.
FUZZ_IMAGE_SRC          := image/image.c image/crc32.c image/packed.c image/size.c
FUZZ_SRC_fuzz_image     := $(FUZZ_IMAGE_SRC)
FUZZ_SRC_fuzz_hypercall := monitor/hypercall.c monitor/console.c monitor/guest.c monitor/mem.c \
	monitor/files.c monitor/files_path.c monitor/files_attr.c monitor/volume.c \
	monitor/volume_options.c monitor/volume_size.c monitor/owner.c monitor/exits.c \
	monitor/net_io.c monitor/net_ring.c \
	monitor/trace.c monitor/clock.c monitor/time.c monitor/core.c monitor/signals.c \
	$(FUZZ_IMAGE_SRC)
FUZZ_SRC_fuzz_size      := image/size.c
FUZZ_SRC_fuzz_netring   := monitor/net_ring.c
FUZZ_LIBS := -lelf -lz

.PHONY: fuzz fuzz-build
fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

$(FUZZ_DIR)/crash-noexit.o: monitor/crash.c monitor/monitor.h image/image.h monitor/mem.h include/hut/abi.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) -Dexit=fuzz_exit -c -o $@ $<

$(FUZZ_DIR)/fuzz_hypercall: $(FUZZ_DIR)/crash-noexit.o

.SECONDEXPANSION:
$(FUZZ_DIR)/%: tests/fuzz/%.c $$(FUZZ_SRC_$$*) image/*.h monitor/*.h include/hut/abi.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_$*) $(filter %.o,$^) $(FUZZ_LIBS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts; \
		echo "== $$t for $(FUZZ_SECONDS)s"; \
		HUT_FUZZ_IMAGE=$(BUILD)/apps/hello.hut $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- $(FUZZ_DIR)/corpus/$$t \
			tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t || exit 1; \
	done
