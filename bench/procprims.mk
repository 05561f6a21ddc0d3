# bench/procprims.mk: `make bench-procprims` (included by the top Makefile):
# what the primitives a process design could use cost on this host's KVM
# (CR3 switches by the monitor and by the guest, copy-on-write faults,
# eager copies, memslot remapping). A raw-KVM program, like kvm-floor: it
# builds its own tiny VM and needs /dev/kvm, nothing of hut's.
.PHONY: bench-procprims

$(BUILD)/bench/procprims: bench/procprims.c include/hut/x86.h
	@mkdir -p $(dir $@)
	musl-gcc $(CFLAGS_MUSL) -static -o $@ $<

bench-procprims: $(BUILD)/bench/procprims
	@$(BUILD)/bench/procprims
