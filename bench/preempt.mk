# bench/preempt.mk: `make bench-preempt` (included by the top Makefile):
# what a tick costs a spinning program, process against appliance
# (bench/preempt.sh says how).
.PHONY: bench-preempt

$(BUILD)/bench/preempt.hut: bench/preempt.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN)

bench-preempt: all $(BUILD)/bench/preempt.hut
	@bench/preempt.sh
