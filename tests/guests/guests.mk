# Hostile guest images for tests/integration/hostile.sh and sandbox.sh:
# each tests/guests/NAME.c becomes build/guests/NAME.hut. They poke at the
# hypercall page directly, so they see the ABI header. They read the libos's
# hut_boot_info, in its window at 64 GiB: the large code model reaches it.
GUEST_IMAGES := $(patsubst tests/guests/%.c,$(BUILD)/guests/%.hut,$(wildcard tests/guests/*.c))

$(BUILD)/guests/%.hut: tests/guests/%.c tests/guests/raw_file.h tests/guests/raw_hypercall.h \
		include/hut/abi.h $(PROGRAMS) $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- -Iinclude -mcmodel=large

.PHONY: guests
guests: $(GUEST_IMAGES)
test test-nested: guests
