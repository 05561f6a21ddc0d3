# Real programs from Debian source packages, built as hut images for
# tests/integration/debian-programs.sh: zlib's minigzip and example, from the
# zlib source of the machine's own zlib1g version, fetched and checked by
# scripts/debian-source.sh (never committed).
ZLIB_VERSION := $(shell dpkg-query -W -f='$${Version}' zlib1g 2>/dev/null)
ZLIB_SRC     := $(BUILD)/src/zlib
ZLIB_LIB     := adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast \
	inflate inftrees trees uncompr zutil
DEBIAN_PROGRAMS := $(BUILD)/debian/minigzip.hut $(BUILD)/debian/example.hut

$(ZLIB_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh zlib $(ZLIB_VERSION) $(ZLIB_SRC)

# zlib's own sources, as its Makefile compiles them, plus one test program.
$(BUILD)/debian/%.hut: $(ZLIB_SRC)/.hut-debian-source $(BIN)/hut $(RUNTIME)
	@mkdir -p $(dir $@)
	$(BIN)/hut build -o $@ $(addprefix $(ZLIB_SRC)/,$(addsuffix .c,$(ZLIB_LIB))) \
		$(ZLIB_SRC)/test/$*.c -- -I$(ZLIB_SRC) -DHAVE_UNISTD_H

.PHONY: debian-programs
debian-programs: $(DEBIAN_PROGRAMS)
test test-nested: debian-programs
