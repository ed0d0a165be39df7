# git-patterns: build, test and install.
#
#   make            build ./git-patterns
#   make run        install missing packages, build, extract this repository
#                   into patterns.jsonl and print a summary
#   make test       install missing packages, build, run every test (prove)
#   make asan       the same suite under AddressSanitizer + UBSan
#   make install    PREFIX=/usr/local (binary, hooks, completion, man page)

PREFIX ?= /usr/local
ifndef V
QUIET_CC = @echo '   ' CC $@;
QUIET_LINK = @echo '   ' LINK $@;
endif
BUILD ?= build
CC ?= cc
PKGS = libgit2 sqlite3 libcjson libcurl libmicrohttpd libpq openssl lapacke

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wvla
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
	-Isrc -DGIT_PATTERNS_VERSION='"$(VERSION)"' -MMD -MP
ALL_LDFLAGS = -pthread $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

# src/<layer>/*.c: see docs/architecture.md for what each folder holds.
LAYERS = common local fusion client server cli
SRCS := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test asan install clean fuzz bench unit

all: $(BUILD)/bin/git-patterns unit $(BUILD)/bench/classify-commits
ifeq ($(BUILD),build)
all: git-patterns
git-patterns: $(BUILD)/bin/git-patterns
	@cp $< $@
endif

$(BUILD)/bin/git-patterns: $(BUILD)/git-patterns.o $(OBJS)
	@mkdir -p $(BUILD)/bin
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/git-patterns.o: git-patterns.c | $(BUILD)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: src/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The version is "git describe" at build time. VERSION-FILE is rewritten
# only when that changes, so that after a commit or a checkout "make"
# rebuilds what prints the version (as git's GIT-VERSION-FILE does).
VERSION_USERS := $(patsubst %.c,$(BUILD)/%.o,$(patsubst src/%.c,%.c,\
	$(shell grep -l GIT_PATTERNS_VERSION git-patterns.c $(SRCS))))
$(VERSION_USERS): $(BUILD)/VERSION-FILE
$(BUILD)/VERSION-FILE: FORCE | $(BUILD)
	@test "$$(cat $@ 2>/dev/null)" = "$(VERSION)" || echo "$(VERSION)" >$@
.PHONY: FORCE
FORCE:

# The hook stubs, embedded so "hook install" needs no installed data files.
HOOK_SCRIPTS = hooks/post-commit hooks/post-merge hooks/post-rewrite
$(BUILD)/hook-scripts.h: $(HOOK_SCRIPTS) hooks/shipped.sha256 | $(BUILD)
	@{ for h in $(HOOK_SCRIPTS); do \
		printf 'static const char hook_script_%s[] =\n' "$$(basename $$h | tr - _)"; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $$h; \
		printf '\t;\n'; \
	done; \
	printf 'static const char hook_shipped[] =\n'; \
	grep -v '^#' hooks/shipped.sha256 | sed -e 's/^/\t"/' -e 's/$$/\\n"/'; \
	printf '\t;\n'; } >$@+ && mv $@+ $@
$(BUILD)/local/hook-install.o: $(BUILD)/hook-scripts.h
$(BUILD)/local/hook-install.o: ALL_CFLAGS += -I$(BUILD)

# The web interface's stylesheet, embedded so that pages need no data files.
$(BUILD)/ui-style.h: src/server/ui-style.css | $(BUILD)
	@{ printf 'static const char ui_style_css[] =\n'; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; \
		printf '\t;\n'; } >$@+ && mv $@+ $@
$(BUILD)/server/ui-assets.o: $(BUILD)/ui-style.h
$(BUILD)/server/ui-assets.o: ALL_CFLAGS += -I$(BUILD)

$(BUILD)/tests/%: tests/unit/%.c $(OBJS) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(OBJS) $(ALL_LDFLAGS) $(LIBS)

unit: $(UNIT_BINS)

# The classifier alone, for bench/classify-score.py (judged commits).
$(BUILD)/bench/classify-commits: bench/classify-commits.c $(BUILD)/local/classify.o \
		$(BUILD)/common/file-role.o $(BUILD)/common/language.o \
		$(BUILD)/common/util.o $(BUILD)/common/strbuf.o
	@mkdir -p $(BUILD)/bench
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

$(BUILD):
	@mkdir -p $(BUILD)

deps:
	@.ci/install-deps

run: deps
	@$(MAKE) --no-print-directory all
	./git-patterns extract --output patterns.jsonl
	./git-patterns stats

test: deps
	@$(MAKE) --no-print-directory test-built

asan: deps
	$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" test-built

# Run the suite against an already built tree (used by asan).
# T= selects scripts (make test T=t1000-extract.sh).
T ?= $(notdir $(UNIT_BINS)) $(sort $(wildcard tests/t[0-9]*.sh))
test-built: all
	cd tests && GIT_PATTERNS_BUILD=$(abspath $(BUILD)) \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		prove -j2 --timer $(foreach t,$(T),$(if $(filter test-%,$(t)),$(abspath $(BUILD))/tests/$(t),$(notdir $(t))))

# libFuzzer on the safetensors parser (clang). FUZZ_TIME seconds of fuzzing
# from tests/fuzz/corpus; new inputs collect in build-fuzz/corpus, crashes in
# build-fuzz/ (crash-*), and the run fails.
FUZZ_TIME ?= 30
FUZZ_CC ?= clang
# the fuzz target links the weight-fusion layer and the common library under it
FUZZ_SRCS = $(wildcard src/fusion/*.c src/common/*.c)
build-fuzz/fuzz-safetensors: tests/fuzz/fuzz-safetensors.c $(FUZZ_SRCS) $(wildcard src/fusion/*.h src/common/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -DGIT_PATTERNS_VERSION='"$(VERSION)"' -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc $(PKG_CFLAGS) -o $@ \
		tests/fuzz/fuzz-safetensors.c $(FUZZ_SRCS) $(PKG_LIBS) -lm

fuzz: build-fuzz/fuzz-safetensors
	@mkdir -p build-fuzz/corpus
	cd build-fuzz && ./fuzz-safetensors -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-timeout=10 -print_final_stats=1 corpus ../tests/fuzz/corpus

install: $(BUILD)/bin/git-patterns
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/git-patterns/hooks \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BUILD)/bin/git-patterns $(DESTDIR)$(PREFIX)/bin/git-patterns
	for h in $(HOOK_SCRIPTS); do install -m 755 "$$h" $(DESTDIR)$(PREFIX)/share/git-patterns/hooks/; done
	if [ -f docs/git-patterns.1 ]; then install -m 644 docs/git-patterns.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi
	if [ -f completion/git-patterns.bash ]; then install -m 644 completion/git-patterns.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/git-patterns; fi
	if [ -f completion/_git-patterns ]; then install -m 644 completion/_git-patterns \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_git-patterns; fi

clean:
	rm -rf build build-asan build-fuzz git-patterns patterns.jsonl

-include $(OBJS:.o=.d) $(BUILD)/git-patterns.d
