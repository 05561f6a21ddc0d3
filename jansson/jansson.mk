# jansson/jansson.mk: the JSON library hut-oci reads and writes JSON with
# (included by the top Makefile).
#
# hut-oci is a static musl program (its start-up runs for every container
# operation) and Debian ships jansson built for glibc only, so Debian's
# jansson source package (the version libjansson-dev is, which `hut` links
# for `hut inspect`) is fetched and checked by scripts/debian-source.sh into
# the build tree, never committed, and its src/*.c compiled here with
# musl-gcc into $(JANSSON_LIB). No configure run: the two headers it would
# write are generated below, with the answers it gives on Debian, except:
#   - JSON_PARSER_MAX_DEPTH is $(JANSSON_MAX_DEPTH), not 2048: hut-oci's
#     limit on nesting (oci/json.c checks that the two agree), enforced by
#     the parser itself so a hostile file cannot run its recursion deep;
#   - the hash seed comes from /dev/urandom (configure's default, Debian's).
# tests/fuzz/fuzz.mk compiles the same sources with the same headers.

JANSSON_VERSION   := 2.14-2
JANSSON_SRC       := $(BUILD)/src/jansson-$(JANSSON_VERSION)
JANSSON_DIR       := $(BUILD)/jansson
JANSSON_INC       := $(JANSSON_DIR)/include
JANSSON_LIB       := $(JANSSON_DIR)/lib/libjansson.a
JANSSON_FILES     := dump.c error.c hashtable.c hashtable_seed.c load.c memory.c pack_unpack.c \
	strbuffer.c strconv.c utf.c value.c version.c
JANSSON_MAX_DEPTH := 64
JANSSON_HEADERS   := $(JANSSON_INC)/jansson.h $(JANSSON_INC)/jansson_config.h \
	$(JANSSON_INC)/jansson_private_config.h
# jansson's own code is not ours to restyle: built as Debian builds it
# (-O2 -g), with its warnings shown but not fatal (the two it trips, on
# its bounded snprintf and strncpy, are off).
JANSSON_CFLAGS    := -std=gnu99 -O2 -g -Wall -Wno-format-truncation -Wno-stringop-truncation -DHAVE_CONFIG_H -I$(JANSSON_INC) -I$(JANSSON_SRC)/src

$(JANSSON_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh jansson $(JANSSON_VERSION) $(JANSSON_SRC)

$(JANSSON_INC)/jansson.h: $(JANSSON_SRC)/.hut-debian-source
	@mkdir -p $(dir $@)
	@cp $(JANSSON_SRC)/src/jansson.h $@

# configure's substitutions for a gcc or clang on Linux, and the depth.
$(JANSSON_INC)/jansson_config.h: $(JANSSON_SRC)/.hut-debian-source jansson/jansson.mk
	@mkdir -p $(dir $@)
	@sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
		-e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
		-e 's/@json_have_sync_builtins@/1/' \
		-e 's/^#define JSON_PARSER_MAX_DEPTH 2048$$/#define JSON_PARSER_MAX_DEPTH $(JANSSON_MAX_DEPTH)/' \
		$(JANSSON_SRC)/src/jansson_config.h.in >$@.tmp
	@grep -q '^#define JSON_PARSER_MAX_DEPTH $(JANSSON_MAX_DEPTH)$$' $@.tmp && ! grep -q '^#define .*@' $@.tmp \
		|| { echo "jansson.mk: jansson_config.h.in no longer has the expected lines" >&2; exit 1; }
	@mv $@.tmp $@

# What configure.ac's checks find on Debian (headers, functions, atomics).
$(JANSSON_INC)/jansson_private_config.h: jansson/jansson.mk
	@mkdir -p $(dir $@)
	@printf '#define %s 1\n' HAVE_ENDIAN_H HAVE_FCNTL_H HAVE_LOCALE_H HAVE_SCHED_H \
		HAVE_UNISTD_H HAVE_SYS_PARAM_H HAVE_SYS_STAT_H HAVE_SYS_TIME_H HAVE_SYS_TYPES_H \
		HAVE_STDINT_H HAVE_CLOSE HAVE_GETPID HAVE_GETTIMEOFDAY HAVE_LOCALECONV HAVE_OPEN \
		HAVE_READ HAVE_SCHED_YIELD HAVE_STRTOLL HAVE_SYNC_BUILTINS HAVE_ATOMIC_BUILTINS \
		USE_URANDOM >$@.tmp
	@echo '#define INITIAL_HASHTABLE_ORDER 3' >>$@.tmp
	@mv $@.tmp $@

JANSSON_OBJ := $(patsubst %.c,$(JANSSON_DIR)/obj/%.o,$(JANSSON_FILES))

$(JANSSON_DIR)/obj/%.o: $(JANSSON_SRC)/.hut-debian-source $(JANSSON_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  jansson/$*.c"
	@musl-gcc $(JANSSON_CFLAGS) -c -o $@ $(JANSSON_SRC)/src/$*.c

$(JANSSON_LIB): $(JANSSON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

jansson: $(JANSSON_LIB)
.PHONY: jansson
