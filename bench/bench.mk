# bench/bench.mk: `make bench`, the launcher comparison (included by the top
# Makefile). It installs what the launchers need (crun, runc, QEMU, a Debian
# kernel, cpio), then runs `hut bench` (bench/harness/) on three workloads:
# hello (start-up cost alone), touch64 (start-up plus first-touching
# 64 MiB) and ready-hello (hello that calls hut_ready() first: its
# hut-restore row is a restore from a snapshot taken there).

BENCH_DIR     := $(BUILD)/bench
BENCH_FLOORFW := $(BENCH_DIR)/floor-fw.bin
BENCH_RUNS    ?= 20

.PHONY: bench

# The qemu-floor launcher's firmware: 64 KiB of real-mode code, flat.
# Built with `all`, so that `hut bench` (and its test) finds it next to bin/.
all: $(BENCH_FLOORFW)

$(BENCH_DIR)/floor-fw.o: bench/floor-fw.S
	@mkdir -p $(dir $@)
	$(HOSTCC) -c -o $@ $<

$(BENCH_FLOORFW): $(BENCH_DIR)/floor-fw.o
	objcopy -O binary -j .text $< $@

$(BENCH_DIR)/ready-hello.hut: bench/ready_hello.c $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $<

bench: all $(BENCH_DIR)/ready-hello.hut
	@scripts/deps.sh bench
	$(BIN)/hut bench --runs $(BENCH_RUNS) --concurrent 8 --json $(BENCH_DIR)/hello.json \
		--svg $(BENCH_DIR)/hello.svg $(BUILD)/apps/hello.hut
	$(BIN)/hut bench --runs $(BENCH_RUNS) --json $(BENCH_DIR)/touch64.json \
		--svg $(BENCH_DIR)/touch64.svg $(BUILD)/apps/touch64.hut
	$(BIN)/hut bench --runs $(BENCH_RUNS) --json $(BENCH_DIR)/ready-hello.json \
		--svg $(BENCH_DIR)/ready-hello.svg $(BENCH_DIR)/ready-hello.hut

# `make bench-files`: file figures, process against appliance, and exits per
# operation (bench/files.sh, bench/fsbench.c), and SQLite's own benchmark
# (test/speedtest1.c of the Debian source tests/debian/debian.mk builds
# sqlite3.hut from) on a volume.
.PHONY: bench-files
bench-files: all $(BUILD)/tests/hut-sud $(BENCH_DIR)/speedtest1.hut
	@bench/files.sh

$(BENCH_DIR)/speedtest1.hut: $(BUILD)/debian/sqlite3.hut $(BIN)/hut-cc $(RUNTIME)
	$(BIN)/hut-cc -O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION \
		-I$(BUILD)/debian/sqlite-build -o $@ $(BUILD)/src/sqlite3/test/speedtest1.c \
		$(BUILD)/debian/sqlite-build/sqlite3.c -lm

# `make bench-net`: httpd under wrk as an appliance, as a process in a
# namespace and in crun; boot-to-first-response and exits per request
# (bench/net.sh, bench/first-response.py).
.PHONY: bench-net
bench-net: all
	@scripts/deps.sh net
	@scripts/deps.sh bench
	@bench/net.sh

# `make bench-snapshot`: httpd's first response restored from a snapshot,
# booted cold and as a process; memory of 100 appliances restored from one
# snapshot against 100 booted cold (bench/snapshot.sh).
.PHONY: bench-snapshot
bench-snapshot: all
	@scripts/deps.sh net
	@bench/snapshot.sh

# `make bench-oci`: hello started by containerd (ctr) and podman as an
# appliance through hut-oci, against the same program as an ordinary
# container through runc and crun; where the appliance's time goes
# (bench/oci.sh). RUNS= sets the runs per row (default 20).
.PHONY: bench-oci
bench-oci: all
	@scripts/deps.sh oci
	@bench/oci.sh

# `make bench-oci-first`: httpd's first response from `hut-oci run` of a
# bundle packed with --snapshot (restored), of one packed without (cold),
# and from runc (and crun, where the host allows it) running the plain
# program, in a pod's network namespace (bench/oci-first.sh).
.PHONY: bench-oci-first
bench-oci-first: all test-net-images
	@scripts/deps.sh oci
	@bench/oci-first.sh

# `make bench-density`: how many idle copies of one image run at once, the
# host memory each holds and how fast they start, as appliances, processes
# and crun containers (bench/density.py). DENSITY= copies (default 1000),
# DENSITY_CRUN= for crun (default 200: each holds a crun process as well).
DENSITY      ?= 1000
DENSITY_CRUN ?= 200
.PHONY: bench-density
bench-density: all test-programs
	@scripts/deps.sh bench
	@bench/density.py --max $(DENSITY) --crun-max $(DENSITY_CRUN) \
		--json $(BENCH_DIR)/density.json --svg $(BENCH_DIR)/density.svg $(BUILD)
