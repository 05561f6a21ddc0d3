# Images tests/integration/syscalls.sh boots, built here on the host (the
# nested test guest compiles slowly), in build/tests/programs/:
#   raw_syscalls.o, libraw.a  code with `syscall` instructions, compiled
#                             against Debian's musl-dev by musl-gcc
#   raw-ref                   raw_main.c and it as a plain musl program
#   raw-object.hut            the same as a hut image, from the object
#   raw-archive.hut           ... from the archive
#   crypt.hut                 crypt_check.c: crypt(), which hut's musl keeps
#   oci_app.hut               oci_app.c: what signals-outside.sh and the hut-oci
#                             tests run
#   oci_app-net.hut           the same, declaring its network device (hut build
#                             --net): oci-net.sh's second appliance in a pod
#   accounting.hut, accounting-ref  accounting.c (accounting.sh), and as a
#                             glibc program: the reference
#   timers.hut, timers-ref    timers.c (timers.sh), the same way
#   procfs.hut, procfs-ref    procfs.c (procfs.sh), the same way
#   paths.hut, paths-ref      paths.c (paths.sh), the same way
#   aspace.hut                aspace.c (aspace.sh): calls the libos itself, so
#                             it sees the libos's headers; no reference
#   identity.hut, identity-ref  identity.c (identity.sh), the same way
#   identity-packed.hut       the same with a root file of mode 0600 packed at
#                             /etc/secret (identity.sh: --packed)
#   shmap.hut, shmap-ref      shmap.c (shmap.sh): shared file mappings
#   preempt.hut, preempt-ref  preempt.c (preempt.sh), the same way
#   console.hut, console-ref  console.c (console.sh), the same way
#   proc_core.hut             proc_core.c (core.sh): a child's crash, read
#                             back from its core with gdb; no reference
#   ready.hut, ready-ref      ready.c (snapshot.sh): hut_ready(), a thread
#                             and a child across it
#   bss_tail.hut              bss_tail.c (load-tail.sh): the bytes after its
#                             data segment's file bytes read zero
#   stdin_poll.hut, stdin_poll-ref  stdin_poll.c (stdin.sh): whether stdin
#                             has input, the same way
# and the Makefile project upstream/ stripped.sh boots, each built by its own
# Makefile in a copy of its folder:
#   upstream-ref/upstream     with gcc and glibc: the reference
#   upstream-s/upstream       make CC=hut-cc LDFLAGS=-s
#   upstream-distro/upstream  with hut-cc and the flags Debian builds packages
#                             with, --gc-sections and -s
#   upstream-g/upstream       with hut-cc and -g, then stripped four ways:
#   upstream-strip.hut, upstream-strip-debug.hut, upstream-strip-all.hut,
#   upstream-objcopy.hut      (strip; strip --strip-debug; --strip-all;
#                             objcopy --strip-debug)
PROG_SRC := tests/integration/programs
PROG_OUT := $(BUILD)/tests/programs
UPSTREAM_BUILDS := $(foreach b,ref s distro g,$(PROG_OUT)/upstream-$(b)/upstream)
UPSTREAM_STRIPPED := $(foreach s,strip strip-debug strip-all objcopy,$(PROG_OUT)/upstream-$(s).hut)
PROG_IMAGES := $(addprefix $(PROG_OUT)/,raw-ref raw-object.hut raw-archive.hut crypt.hut \
	oci_app.hut oci_app-net.hut accounting.hut accounting-ref timers.hut timers-ref aspace.hut \
	fork.hut fork-ref procshare.hut procshare-ref identity.hut identity-ref identity-packed.hut \
	shmap.hut shmap-ref preempt.hut preempt-ref exec.hut exec-ref console.hut console-ref \
	vfork.hut vfork-ref jobctl.hut jobctl-ref proctimers.hut proctimers-ref plocks.hut plocks-ref \
	proc_core.hut cputime.hut cputime-ref procother.hut procother-ref ready.hut ready-ref \
	bss_tail.hut stdin_poll.hut stdin_poll-ref) \
	$(UPSTREAM_BUILDS) $(UPSTREAM_STRIPPED)

$(PROG_OUT)/raw_syscalls.o: $(PROG_SRC)/raw_syscalls.c $(PROG_SRC)/raw_syscalls.h \
		include/hut/raw_syscall.h | deps
	@mkdir -p $(dir $@)
	musl-gcc -std=gnu11 -O2 $(WARN) -Iinclude -c -o $@ $<

$(PROG_OUT)/libraw.a: $(PROG_OUT)/raw_syscalls.o
	rm -f $@ && ar rcs $@ $<

$(PROG_OUT)/raw-ref: $(PROG_SRC)/raw_main.c $(PROG_OUT)/raw_syscalls.o
	musl-gcc -std=gnu11 -O2 $(WARN) -static -o $@ $^

$(PROG_OUT)/raw-object.hut: $(PROG_SRC)/raw_main.c $(PROG_OUT)/raw_syscalls.o $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< $(PROG_OUT)/raw_syscalls.o -- $(WARN)

$(PROG_OUT)/raw-archive.hut: $(PROG_SRC)/raw_main.c $(PROG_OUT)/libraw.a $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< $(PROG_OUT)/libraw.a -- $(WARN)

$(PROG_OUT)/crypt.hut: $(PROG_SRC)/crypt_check.c $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< -- $(WARN)

$(PROG_OUT)/oci_app.hut: $(PROG_SRC)/oci_app.c $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< -- $(WARN)

$(PROG_OUT)/oci_app-net.hut: $(PROG_SRC)/oci_app.c $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build --net -o $@ $< -- $(WARN)

# It calls the libos's page-table functions itself: in the libos's window at
# 64 GiB, which only the large code model's 64-bit addresses reach.
$(PROG_OUT)/aspace.hut: $(PROG_SRC)/aspace.c $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< -- $(WARN) -Iinclude -Ilibos -mcmodel=large

$(PROG_OUT)/identity-packed.hut: $(PROG_SRC)/identity.c $(PROGRAMS) $(RUNTIME)
	@mkdir -p $(dir $@)
	printf 'not for everyone\n' >$(PROG_OUT)/identity-secret && chmod 0600 $(PROG_OUT)/identity-secret
	$(BIN)/hut build --file $(PROG_OUT)/identity-secret:/etc/secret -o $@ $< -- $(WARN)

# What exec_other execs (exec.sh): an image larger than the appliance's
# whole image (a 24 MiB bss), and a static glibc program, which knows
# nothing of hut (its `syscall` instructions trap into the libos).
$(PROG_OUT)/execee-big.hut: $(PROG_SRC)/execee.c $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< -- $(WARN) -DEXECEE_BIG_BSS

$(PROG_OUT)/execee-big-ref: $(PROG_SRC)/execee.c
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O2 $(WARN) -DEXECEE_BIG_BSS -o $@ $<

$(PROG_OUT)/execee-static: $(PROG_SRC)/execee.c
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O2 $(WARN) -static -o $@ $<

# ready.c calls hut_ready() (include/hut/ready.h): the glibc build finds
# the header in the tree, hut-cc where hut installs it.
$(PROG_OUT)/ready-ref: $(PROG_SRC)/ready.c include/hut/ready.h
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O2 $(WARN) -Iinclude -pthread -o $@ $<

# Programs checked against themselves built with gcc and glibc.
$(PROG_OUT)/%.hut: $(PROG_SRC)/%.c $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ $< -- $(WARN)

$(PROG_OUT)/%-ref: $(PROG_SRC)/%.c
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O2 $(WARN) -o $@ $<

# The project's own Makefile does the build, as a user's would; MAKEFLAGS is
# emptied so nothing of this make's command line reaches it.
UPSTREAM_CC := $(abspath $(BIN)/hut-cc)
UPSTREAM_MAKE_ref := CC=gcc
UPSTREAM_MAKE_s := CC=$(UPSTREAM_CC) LDFLAGS=-s
UPSTREAM_MAKE_distro := CC=$(UPSTREAM_CC) \
	CFLAGS="-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 -ffunction-sections -fdata-sections" \
	LDFLAGS="-Wl,-z,relro -Wl,-z,now -Wl,--as-needed -Wl,-O1 -Wl,--gc-sections -s"
UPSTREAM_MAKE_g := CC=$(UPSTREAM_CC)

$(PROG_OUT)/upstream-%/upstream: $(wildcard $(PROG_SRC)/upstream/*) $(PROGRAMS) $(RUNTIME)
	rm -rf $(dir $@) && mkdir -p $(dir $@) && cp $(PROG_SRC)/upstream/* $(dir $@)
	MAKEFLAGS= make -s -C $(dir $@) $(UPSTREAM_MAKE_$*)

UPSTREAM_STRIP_strip := strip
UPSTREAM_STRIP_strip-debug := strip --strip-debug
UPSTREAM_STRIP_strip-all := strip --strip-all
UPSTREAM_STRIP_objcopy := objcopy --strip-debug

$(PROG_OUT)/upstream-%.hut: $(PROG_OUT)/upstream-g/upstream
	cp $< $@.tmp && $(UPSTREAM_STRIP_$*) $@.tmp && mv $@.tmp $@

# sockets.c: the socket API over 127.0.0.1, poll/select/epoll/eventfd and
# sendfile (tests/integration/sockets.sh), with a file packed to send.
$(PROG_OUT)/sockets.hut: $(PROG_SRC)/sockets.c $(PROG_SRC)/res.h $(PROGRAMS) $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build --file $(PROG_SRC)/sockets.c:/data/sent -o $@ $< -- $(WARN)
PROG_IMAGES += $(PROG_OUT)/sockets.hut

# unix_sockets.c: AF_UNIX sockets and socketpair (tests/integration/unix-sockets.sh);
# unix_pair.hut, the same with -DPAIR_ONLY: socketpair without socket(), so
# it must link no network stack.
$(PROG_OUT)/unix_sockets.hut: $(PROG_SRC)/unix_sockets.c $(PROG_SRC)/res.h $(PROGRAMS) $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN)
$(PROG_OUT)/unix_pair.hut: $(PROG_SRC)/unix_sockets.c $(PROG_SRC)/res.h $(PROGRAMS) $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $< -- $(WARN) -DPAIR_ONLY
PROG_IMAGES += $(PROG_OUT)/unix_sockets.hut $(PROG_OUT)/unix_pair.hut

# The file kinds daemons use (tests/integration/fdkinds.sh): memfds, FIFOs,
# signalfds, splice and its kin, each checked against glibc on Linux.
FDKINDS := memfd fifo signalfd splice inotify
$(foreach p,$(FDKINDS),$(PROG_OUT)/$(p).hut $(PROG_OUT)/$(p)-ref): $(PROG_SRC)/res.h
$(foreach p,$(FDKINDS),$(PROG_OUT)/$(p)-ref): WARN += -pthread
PROG_IMAGES += $(foreach p,$(FDKINDS),$(PROG_OUT)/$(p).hut $(PROG_OUT)/$(p)-ref)
# volcache.c: the volume page cache, each cache= mode against glibc
# (tests/integration/volume-cache.sh).
PROG_IMAGES += $(addprefix $(PROG_OUT)/,volcache.hut volcache-ref)
# volfast.c: a volume's fast paths (cache=auto's reopen, reads straight into
# scattered pages), against glibc (tests/integration/volume-fast.sh).
PROG_IMAGES += $(addprefix $(PROG_OUT)/,volfast.hut volfast-ref)
# forkread.c: a forked child's read of stdin into pages it shares with its
# parent, against glibc (tests/integration/forkread.sh).
PROG_IMAGES += $(addprefix $(PROG_OUT)/,forkread.hut forkread-ref)
# procfs.c: /proc as programs read it (tests/integration/procfs.sh); paths.c:
# dirfds that follow their directory through renames, and paths of any
# depth (tests/integration/paths.sh). Each also as a glibc program.
PROG_IMAGES += $(addprefix $(PROG_OUT)/,procfs.hut procfs-ref paths.hut paths-ref)
# exec_other.c execs execee.c's builds: another image, a larger one, a
# static glibc program (tests/integration/exec.sh).
PROG_IMAGES += $(addprefix $(PROG_OUT)/,exec_other.hut exec_other-ref execee.hut execee-ref \
	execee-big.hut execee-big-ref execee-static)
# The programs that print children's wait statuses share how.
WAIT_STATUS_PROGS := fork vfork proctimers jobctl plocks
$(foreach p,$(WAIT_STATUS_PROGS),$(PROG_OUT)/$(p).hut $(PROG_OUT)/$(p)-ref): $(PROG_SRC)/wait_status.h
# snapshot.c: a child saves the memory of the fork while the parent changes
# it (fork.sh).
PROG_IMAGES += $(PROG_OUT)/snapshot.hut $(PROG_OUT)/snapshot-ref
# shell_out.c: system() and popen() of busybox's shell (debian-busybox.sh).
PROG_IMAGES += $(PROG_OUT)/shell_out.hut
# idle.c: what tests/integration/density.sh and bench/density.py start by
# the hundred (waits in read, answers each line); also as a glibc program.
PROG_IMAGES += $(addprefix $(PROG_OUT)/,idle.hut idle-ref giveback.hut giveback-ref)

.PHONY: test-programs
test-programs: $(PROG_IMAGES)
test test-nested: test-programs


