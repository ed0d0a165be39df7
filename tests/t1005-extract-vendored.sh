#!/bin/sh
test_description='git patterns extract: vendored code is skipped as linguist skips it (default vendor paths, minified files, git subtree commits)'
. ./lib.sh

paths() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(l)["file_path"])' "$1" | sort
}

test_expect_success 'setup: a fix touching our code and vendored copies' '
	git init -q repo &&
	cd repo &&
	mkdir -p src deps/jemalloc/src vendor/github.com/x third_party/zlib \
		web/node_modules/left-pad web/static lib/deps &&
	for f in src/server.c deps/jemalloc/src/arena.c vendor/github.com/x/y.go \
		third_party/zlib/inflate.c web/node_modules/left-pad/index.js \
		web/static/app.min.js web/static/site.min.css web/static/app.js \
		lib/deps/own.c
	do
		echo "int v1;" >$f || return 1
	done &&
	git add . && test_tick && git commit -q -m "Add code" &&
	for f in src/server.c deps/jemalloc/src/arena.c vendor/github.com/x/y.go \
		third_party/zlib/inflate.c web/node_modules/left-pad/index.js \
		web/static/app.min.js web/static/site.min.css web/static/app.js \
		lib/deps/own.c
	do
		echo "int v2;" >>$f || return 1
	done &&
	test_tick && git commit -q -a -m "Fix overflow everywhere"
'

test_expect_success 'deps/, vendor/, third_party/, node_modules/ and minified files yield nothing' '
	git -C repo patterns extract -q --include-unknown -o ../out.jsonl &&
	paths out.jsonl | uniq >actual &&
	printf "lib/deps/own.c\nsrc/server.c\nweb/static/app.js\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the libgit2 engine skips the same files' '
	git clone -q --no-local repo repo-lib &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C repo-lib patterns extract -q --include-unknown \
		-o ../out-lib.jsonl &&
	test_cmp out.jsonl out-lib.jsonl
'

test_expect_success 'setup: a library brought in by git subtree --squash' '
	git init -q lib &&
	(
		cd lib &&
		mkdir -p test/unit &&
		echo "int uaf_fix(void);" >test/unit/uaf.c &&
		echo "int lib;" >lib.c &&
		git add . && test_tick && git commit -q -m "Fix use after free in arena"
	) &&
	(
		cd repo &&
		test_tick &&
		git subtree add -q --prefix=deps/lib ../lib main --squash &&
		git log --format=%B -1 HEAD^2 >../subtree-log &&
		grep "^git-subtree-dir: deps/lib" ../subtree-log
	)
'

test_expect_success 'a git subtree squash commit yields nothing, even with --include-unknown' '
	git -C repo patterns extract -q --include-unknown -o ../out2.jsonl &&
	! grep "uaf" out2.jsonl &&
	! grep "lib.c" out2.jsonl &&
	test_cmp out.jsonl out2.jsonl &&
	git clone -q --no-local repo repo-lib2 &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C repo-lib2 patterns extract -q --include-unknown \
		--include-merges -o ../out-lib2.jsonl &&
	! grep "uaf" out-lib2.jsonl
'

test_done
