# bench/procs.mk: `make bench-procs` (included by the top Makefile): fork,
# copy-on-write, pipe round trips between processes, process against
# appliance (bench/procs.sh says how).
.PHONY: bench-procs

$(BUILD)/bench/procs.hut: bench/procs.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN)

# What `procs exec` runs: a program of its own that does nothing.
$(BUILD)/bench/true.hut: bench/true.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN)

bench-procs: all $(BUILD)/bench/procs.hut $(BUILD)/bench/true.hut
	@bench/procs.sh
