# bench/threads.mk: `make bench-threads` (included by the top Makefile):
# thread create+join, mutexes, condition variables, process against
# appliance (bench/threads.sh says how).
.PHONY: bench-threads

$(BUILD)/bench/threads.hut: bench/threads.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN)

bench-threads: all $(BUILD)/bench/threads.hut
	@bench/threads.sh
