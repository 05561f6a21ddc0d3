# Fuzz targets (libFuzzer + ASan + UBSan), built with clang straight from the
# project's sources (tests/fuzz/README.md says what each one fuzzes).
# `make fuzz [FUZZ_SECONDS=N]` builds and runs each target for N seconds over
# its checked-in corpus and regressions. New inputs go to
# build/fuzz/corpus/TARGET (never into the checked-in corpus); crashes to
# build/fuzz/artifacts/. tests/integration/fuzz.sh is the short smoke run.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -Iimage -Imonitor \
	-Imonitor/modules -Ibuilder -D_GNU_SOURCE -Wno-gnu-variable-sized-type-not-at-end \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_TARGETS := fuzz_image fuzz_hypercall fuzz_size fuzz_netring fuzz_conring fuzz_filering fuzz_netconns fuzz_oci \
	fuzz_json fuzz_oci_spec fuzz_snapshot fuzz_snappack

# Each target's sources. fuzz_hypercall links everything hut_hypercall
# reaches (the modules through their table) except fail.c (its own hut_fail
# and hut_end longjmp back); sandbox.c and landlock.c for the modules' rules
# (never entered: no net device, no sandbox there).
FUZZ_IMAGE_SRC          := image/image.c image/crc32.c image/packed.c image/size.c
FUZZ_SRC_fuzz_image     := $(FUZZ_IMAGE_SRC)
FUZZ_SRC_fuzz_hypercall := $(addprefix monitor/,hypercall.c guest.c mem.c limits.c exits.c trace.c clock.c tsc.c device.c \
	time.c vcpu_wake.c crash.c bootinfo.c sandbox.c seccomp_build.c kvm_stats.c landlock.c snapshot_take.c snapshot_format.c reaper.c pool_child.c) \
	$(addprefix monitor/modules/,table.c console.c console_io.c console_ring.c files.c files_path.c files_attr.c files_state.c \
	files_module.c files_ring.c files_io.c files_snapshot.c net_snapshot.c volume.c volume_options.c \
	volume_size.c owner.c core.c core_module.c \
	core_process.c core_file.c net_io.c net_ring.c net_reset.c net_end.c net_module.c \
	net_options.c net_tap.c release.c signals.c stats.c ticks.c) \
	$(FUZZ_IMAGE_SRC)
FUZZ_SRC_fuzz_size      := image/size.c
# --restore's reader of the snapshot file, and a module's record reader.
FUZZ_SRC_fuzz_snapshot  := monitor/snapshot_format.c image/crc32.c monitor/modules/files_snapshot.c \
	monitor/modules/files_state.c
# The packed snapshot of an OCI image (hut inspect, hut-oci's expansion).
FUZZ_SRC_fuzz_snappack  := common/snappack.c
FUZZ_INC_fuzz_snappack  := -Icommon
FUZZ_SRC_fuzz_netring   := monitor/modules/net_ring.c
FUZZ_SRC_fuzz_conring   := monitor/modules/console_ring.c
FUZZ_SRC_fuzz_filering  := monitor/modules/files_ring.c
FUZZ_SRC_fuzz_netconns  := monitor/modules/net_reset.c
# hut inspect's OCI reader (index.json, manifests, config, layer: oci_read.c),
# with the builder's helpers it calls.
FUZZ_SRC_fuzz_oci       := builder/oci_files.c builder/oci_read.c builder/tar.c builder/sha256.c \
	builder/diag.c
# hut-oci's reading of a bundle (oci/): its JSON reading alone (json.c over
# jansson); then config.json and the image lookup in the rootfs (oci_die is
# the harness's: it longjmps).
FUZZ_SRC_fuzz_json      := oci/json.c
FUZZ_SRC_fuzz_oci_spec  := oci/json.c oci/spec.c oci/detect.c
FUZZ_INC_fuzz_json        := -Ioci -I$(JANSSON_INC)
FUZZ_INC_fuzz_oci_spec    := -Ioci -I$(JANSSON_INC)
FUZZ_LIBS := -lelf -lz -lcrypto -ljansson

.PHONY: fuzz fuzz-build
fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

# The image reader for the targets that only pass through it (fuzz_image
# fuzzes it): ASan and UBSan, no coverage hooks, which would cost more
# than the rest of an input (the CRC loop over each image).
FUZZ_COMMA := ,
FUZZ_IMAGE_NOCOV := $(patsubst %.c,$(FUZZ_DIR)/nocov/%.o,$(FUZZ_IMAGE_SRC))
$(FUZZ_DIR)/nocov/%.o: %.c image/*.h include/hut/abi.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(subst -fsanitize=fuzzer$(FUZZ_COMMA),-fsanitize=,$(FUZZ_CFLAGS)) -c -o $@ $<

$(FUZZ_DIR)/fuzz_oci_spec: $(FUZZ_IMAGE_NOCOV)

# jansson as hut-oci has it: the same Debian source and generated headers
# (jansson/jansson.mk), here with clang, the sanitizers and coverage (its
# parser is what fuzz_json fuzzes); its own code's warnings are not ours.
# These objects, not Debian's libjansson (which fuzz_oci, the builder's
# reader, links), hold the symbols in the two targets below.
FUZZ_JANSSON := $(patsubst %.c,$(FUZZ_DIR)/jansson/%.o,$(JANSSON_FILES))
$(FUZZ_DIR)/jansson/%.o: $(JANSSON_SRC)/.hut-debian-source $(JANSSON_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu99 -g -O1 -w -DHAVE_CONFIG_H -I$(JANSSON_INC) -I$(JANSSON_SRC)/src \
		-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer -c -o $@ $(JANSSON_SRC)/src/$*.c

$(FUZZ_DIR)/fuzz_json $(FUZZ_DIR)/fuzz_oci_spec: $(FUZZ_JANSSON)

.SECONDEXPANSION:
$(FUZZ_DIR)/%: tests/fuzz/%.c tests/fuzz/check.h tests/fuzz/guest_ram.h $$(FUZZ_SRC_$$*) image/*.h monitor/*.h \
		monitor/modules/*.h oci/*.h builder/*.h \
		include/hut/abi.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_INC_$*) -o $@ $< $(FUZZ_SRC_$*) $(filter %.o,$^) $(FUZZ_LIBS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts; \
		echo "== $$t for $(FUZZ_SECONDS)s"; \
		HUT_FUZZ_IMAGE=$(BUILD)/apps/hello.hut $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- $(FUZZ_DIR)/corpus/$$t \
			tests/fuzz/corpus/$$t $$(ls -d tests/fuzz/regressions/$$t 2>/dev/null) || exit 1; \
	done
