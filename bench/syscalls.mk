# bench/syscalls.mk: `make bench-syscalls` (included by the top Makefile):
# ns per syscall through hut's musl and with the `syscall` instruction, as
# a process and as an appliance (bench/syscalls.sh says how it is measured).

.PHONY: bench-syscalls

$(BUILD)/bench/syscalls.hut: bench/syscalls.c include/hut/raw_syscall.h $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN) -Iinclude

# The same program on Debian's musl-dev, whose syscalls are the instruction.
$(BUILD)/bench/syscalls-plain: bench/syscalls.c include/hut/raw_syscall.h | deps
	@mkdir -p $(dir $@)
	musl-gcc -std=gnu11 -O2 $(WARN) -Iinclude -static -o $@ $<

bench-syscalls: all $(BUILD)/bench/syscalls.hut $(BUILD)/bench/syscalls-plain
	@bench/syscalls.sh
