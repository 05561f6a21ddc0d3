# Images tests/integration/syscalls.sh boots, built here on the host (the
# nested test guest compiles slowly), in build/tests/programs/:
#   raw_syscalls.o, libraw.a  code with `syscall` instructions, compiled
#                             against Debian's musl-dev by musl-gcc
#   raw-ref                   raw_main.c and it as a plain musl program
#   raw-object.hut            the same as a hut image, from the object
#   raw-archive.hut           ... from the archive
#   crypt.hut                 crypt_check.c: crypt(), which hut's musl keeps
PROG_SRC := tests/integration/programs
PROG_OUT := $(BUILD)/tests/programs
PROG_IMAGES := $(addprefix $(PROG_OUT)/,raw-ref raw-object.hut raw-archive.hut crypt.hut)

$(PROG_OUT)/raw_syscalls.o: $(PROG_SRC)/raw_syscalls.c $(PROG_SRC)/raw_syscalls.h | deps
	@mkdir -p $(dir $@)
	musl-gcc -std=gnu11 -O2 $(WARN) -c -o $@ $<

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

.PHONY: test-programs
test-programs: $(PROG_IMAGES)
test test-nested: test-programs
