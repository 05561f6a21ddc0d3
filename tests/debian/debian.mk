# Real programs from Debian source packages, built as hut images for
# tests/integration/debian-programs.sh: zlib's minigzip and example, from the
# zlib source of the machine's own zlib1g version, and for
# tests/integration/threads-xz.sh: xz (threaded compression, -T), from the
# xz-utils source apt would install; for tests/integration/sqlite-wal.sh:
# SQLite's shell; for tests/integration/debian-rsync.sh: rsync; each
# fetched and checked by
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

# xz-utils: its own configure and Makefiles with CC=hut-cc, built out of
# the source tree; only liblzma and xz itself, xz with 256 MiB of guest
# memory by default (four threads compress at once). apt's candidate version,
# since Debian's archive keeps the sources of current versions only (the
# installed one if apt knows no candidate).
XZ_VERSION := $(or $(shell apt-cache policy xz-utils 2>/dev/null | sed -n 's/^ *Candidate: *//p'),\
	$(shell dpkg-query -W -f='$${Version}' xz-utils 2>/dev/null))
XZ_SRC     := $(BUILD)/src/xz-utils
XZ_BUILD   := $(BUILD)/debian/xz-build
DEBIAN_PROGRAMS += $(BUILD)/debian/xz.hut

$(XZ_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh xz-utils $(XZ_VERSION) $(XZ_SRC)

$(BUILD)/debian/xz.hut: $(XZ_SRC)/.hut-debian-source $(BIN)/hut-cc $(RUNTIME)
	rm -rf $(XZ_BUILD) && mkdir -p $(XZ_BUILD)
	cd $(XZ_BUILD) && $(abspath $(XZ_SRC))/configure CC=$(abspath $(BIN)/hut-cc) \
		--disable-shared --enable-threads=posix --disable-nls --disable-doc \
		--disable-scripts --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links >configure.log 2>&1 || { tail -20 configure.log; exit 1; }
	MAKEFLAGS= make -s -C $(XZ_BUILD)/src/liblzma >$(XZ_BUILD)/make.log 2>&1 && \
		HUT_MEM=256M MAKEFLAGS= make -s -C $(XZ_BUILD)/src/xz >>$(XZ_BUILD)/make.log 2>&1 || \
		{ tail -20 $(XZ_BUILD)/make.log; exit 1; }
	cp $(XZ_BUILD)/src/xz/xz $@


# busybox: a kbuild-style build (its Makefiles make partial links with
# $(CC) -nostdlib -r and link archives in --start-group), unmodified, with
# CC=hut-cc and its default configuration, out of the source tree. The
# source version is the binary's without a binNMU suffix (+bN).
BUSYBOX_VERSION := $(shell apt-cache policy busybox 2>/dev/null | \
	sed -n 's/^ *Candidate: *//p' | sed 's/+b[0-9]*$$//')
BUSYBOX_SRC     := $(BUILD)/src/busybox
BUSYBOX_BUILD   := $(BUILD)/debian/busybox-build
DEBIAN_PROGRAMS += $(BUILD)/debian/busybox.hut

$(BUSYBOX_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh busybox $(BUSYBOX_VERSION) $(BUSYBOX_SRC)

$(BUILD)/debian/busybox.hut: $(BUSYBOX_SRC)/.hut-debian-source $(BIN)/hut-cc $(RUNTIME)
	rm -rf $(BUSYBOX_BUILD) && mkdir -p $(BUSYBOX_BUILD)
	MAKEFLAGS= make -s -C $(BUSYBOX_SRC) O=$(abspath $(BUSYBOX_BUILD)) defconfig \
		>$(BUSYBOX_BUILD)/make.log 2>&1 || { tail -20 $(BUSYBOX_BUILD)/make.log; exit 1; }
	MAKEFLAGS= make -s -j2 -C $(BUSYBOX_BUILD) CC=$(abspath $(BIN)/hut-cc) \
		>>$(BUSYBOX_BUILD)/make.log 2>&1 || { tail -20 $(BUSYBOX_BUILD)/make.log; exit 1; }
	cp $(BUSYBOX_BUILD)/busybox $@

# sqlite3: SQLite's command-line shell, from the sqlite3 source apt would
# install, unmodified, by its own configure and Makefile with CC=hut-cc,
# out of the source tree (tests/integration/sqlite-wal.sh): the Makefile
# makes the amalgamation (sqlite3.c, shell.c) with tclsh and host tools
# built by BCC, then compiles both with hut-cc. -O2 without the default -g:
# ~1.5 min on 2 cores.
SQLITE_VERSION := $(or $(shell apt-cache policy sqlite3 2>/dev/null | sed -n 's/^ *Candidate: *//p'),\
	$(shell dpkg-query -W -f='$${Version}' libsqlite3-0 2>/dev/null))
SQLITE_SRC     := $(BUILD)/src/sqlite3
SQLITE_BUILD   := $(BUILD)/debian/sqlite-build
DEBIAN_PROGRAMS += $(BUILD)/debian/sqlite3.hut

$(SQLITE_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh sqlite3 $(SQLITE_VERSION) $(SQLITE_SRC)

$(BUILD)/debian/sqlite3.hut: $(SQLITE_SRC)/.hut-debian-source $(BIN)/hut-cc $(RUNTIME)
	rm -rf $(SQLITE_BUILD) && mkdir -p $(SQLITE_BUILD)
	cd $(SQLITE_BUILD) && $(abspath $(SQLITE_SRC))/configure CC=$(abspath $(BIN)/hut-cc) \
		BCC=gcc CFLAGS=-O2 --disable-shared --disable-tcl --disable-readline \
		--disable-editline --disable-load-extension >configure.log 2>&1 || \
		{ tail -20 configure.log; exit 1; }
	MAKEFLAGS= make -s -C $(SQLITE_BUILD) sqlite3 >$(SQLITE_BUILD)/make.log 2>&1 || \
		{ tail -20 $(SQLITE_BUILD)/make.log; exit 1; }
	cp $(SQLITE_BUILD)/sqlite3 $@

# rsync: a local `rsync -a SRC/ DST/` forks a receiver and a generator and
# talks to them over socketpairs without exec'ing another program
# (tests/integration/debian-rsync.sh). Unmodified, by its own configure and
# Makefile with CC=hut-cc, in a copy of the source tree (its configure
# wrapper runs configure.sh from where it is called); Debian's patches
# change configure.ac, so the Makefile runs autoconf (scripts/deps.sh).
# Its bundled zlib and popt, and none of the libraries hut lacks (OpenSSL,
# xxhash, zstd, lz4, ACLs, xattrs, iconv). The version is pinned to one
# Debian's main archive serves (bookworm's security candidate may not be
# on every mirror); RSYNC_VERSION= on make's command line picks another.
RSYNC_VERSION ?= 3.2.7-1+deb12u6
RSYNC_SRC     := $(BUILD)/src/rsync
RSYNC_BUILD   := $(BUILD)/debian/rsync-build
DEBIAN_PROGRAMS += $(BUILD)/debian/rsync.hut

$(RSYNC_SRC)/.hut-debian-source: | deps
	@scripts/debian-source.sh rsync $(RSYNC_VERSION) $(RSYNC_SRC)

# Debian's patches leave configure.ac and aclocal.m4 newer than the
# configure.sh and config.h.in made from them, and rsync's Makefile then
# runs autoconf (when installed) and stops ("configure.sh has CHANGED"),
# or races with itself under -j: the shipped files are made the newer.
$(BUILD)/debian/rsync.hut: $(RSYNC_SRC)/.hut-debian-source $(BIN)/hut-cc $(RUNTIME)
	rm -rf $(RSYNC_BUILD) && cp -a $(RSYNC_SRC) $(RSYNC_BUILD)
	touch $(RSYNC_BUILD)/aclocal.m4 && touch $(RSYNC_BUILD)/configure.sh $(RSYNC_BUILD)/config.h.in
	cd $(RSYNC_BUILD) && ./configure CC=$(abspath $(BIN)/hut-cc) --disable-openssl \
		--disable-xxhash --disable-zstd --disable-lz4 --disable-acl-support \
		--disable-xattr-support --disable-iconv --disable-locale --disable-md2man \
		--with-included-popt --with-included-zlib >configure.log 2>&1 || \
		{ tail -20 configure.log; exit 1; }
	MAKEFLAGS= make -s -j2 -C $(RSYNC_BUILD) rsync >$(RSYNC_BUILD)/make.log 2>&1 || \
		{ tail -20 $(RSYNC_BUILD)/make.log; exit 1; }
	cp $(RSYNC_BUILD)/rsync $@

# Last: make reads a rule's prerequisites where the rule stands, so every
# program must be in DEBIAN_PROGRAMS above.
.PHONY: debian-programs
debian-programs: $(DEBIAN_PROGRAMS)
test test-nested: debian-programs
