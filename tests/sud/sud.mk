# hut-sud (tests/sud/sud.c): the libos run in a process under Syscall User
# Dispatch, with the monitor's hypercall code: a test aid for machines
# without /dev/kvm. A static PIE, so that all of its code (which may make
# real syscalls) is one range, away from the image's addresses.
SUD_MONITOR := hypercall guest crash trace kvm_stats clock tsc device time vcpu_wake fail mem limits bootinfo exits sandbox seccomp_build landlock reaper \
	pool_child pool_serve pool_run \
	snapshot_take snapshot_format
SUD_MODULES := table console console_io console_ring files files_path files_attr files_state files_module files_ring files_io \
	files_snapshot volume \
	volume_options volume_size owner core core_module core_process core_file net_io net_ring \
	net_reset net_end net_module net_snapshot net_options net_tap release signals stats ticks
SUD_OBJ := $(BUILD)/obj/tests/sud/sud.o $(patsubst %,$(BUILD)/obj/monitor/%.o,$(SUD_MONITOR)) \
	$(patsubst %,$(BUILD)/obj/monitor/modules/%.o,$(SUD_MODULES)) \
	$(patsubst %.c,$(BUILD)/obj/%.o,$(IMAGE_READER_SRC))

# It drives the monitor's code, so it sees the monitor's header; its signal
# handlers run on the app's FS base, where no canary lives.
$(BUILD)/obj/tests/sud/sud.o: FOLDER_INC := -Imonitor -Imonitor/modules
$(BUILD)/obj/tests/sud/sud.o: CFLAGS_HOST += -fno-stack-protector

$(BUILD)/tests/hut-sud: $(SUD_OBJ)
	@mkdir -p $(dir $@)
	$(HOSTCC) -static-pie -o $@ $^

.PHONY: sud
sud: $(BUILD)/tests/hut-sud
all: $(BUILD)/tests/hut-sud
