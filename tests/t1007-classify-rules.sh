#!/bin/sh
test_description='git patterns extract: the classifier rules beyond the fixed ones (CLASSIFY_VERSION 9)'
. ./lib.sh

# rules FILE: "subject=problem_type rule" per commit of a list --json, sorted
rules() {
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
seen = {p["commit_msg"]: p["problem_type"] + " " + p["rule"] for p in d["patterns"]}
for s in sorted(seen):
    print(s + "=" + seen[s])' "$1"
}

# commit_change DIR SUBJECT [BODY]: change src/main.c, commit with SUBJECT and BODY
commit_change() {
	echo "$2" >>"$1/src/main.c" &&
	test_tick &&
	git -C "$1" add src/main.c &&
	if test $# -gt 2
	then
		git -C "$1" commit -q -m "$2" -m "$3"
	else
		git -C "$1" commit -q -m "$2"
	fi
}

test_expect_success 'setup: one commit per rule' '
	git init -q r &&
	mkdir -p r/src &&
	commit_change r "Initial import" &&
	commit_change r "commit: teach --fixup to take a path" &&
	commit_change r "usage.c: add a non-fatal bug() function" &&
	commit_change r "restore: take tree-ish from --source option instead" &&
	commit_change r "http: reset the size when clearing the curl handle" &&
	commit_change r "filter: close the descriptor in case of error" &&
	commit_change r "added support to dump registers on crash" &&
	commit_change r "rebase: make the backend configurable" &&
	commit_change r "git status: Show detailed dirty status of submodules" &&
	commit_change r "Include windows.h on win32 for Sleep" &&
	commit_change r "Git 2.36.2" &&
	commit_change r "Update jemalloc to 5.2.1" &&
	commit_change r "config: tweak the lookup" "Reported-by: A U Thor <author@example.com>" &&
	commit_change r "config: tweak the parser" "Fixes #123" &&
	commit_change r "config: tweak the writer" "Bug: https://example.com/bugs/1" &&
	commit_change r "config: tweak the reader" "Closes #124" &&
	commit_change r "config: tweak the cache" "The cache leaks its keys." &&
	commit_change r "config: tweak the index" "$(printf "Simpler.\n\nAn old crash is elsewhere.")" &&
	commit_change r "config: tweak the walker" "$(printf "Simpler.\n\nFix this by asking twice.")" &&
	commit_change r "Make hostip.c compile again" &&
	commit_change r "refs.c: remove the update_ref_lock function" &&
	commit_change r "wt-status: use argv_array API" &&
	commit_change r "utf8.c: mark file-local function static" &&
	commit_change r "curl.h: CURLE_FUNCTION_NOT_FOUND is no longer in use" &&
	commit_change r "line-log: avoid unnecessary tree diffs" &&
	commit_change r "worktree: add skeleton '"'"'repair'"'"' command" &&
	commit_change r "New commands: BITOP and BITCOUNT." &&
	commit_change r "refs: fix missing parameter documentation" &&
	commit_change r "http: reject HTTP response codes < 100" &&
	commit_change r "Sync OpenBSD patchset 217:" "Show the bell status in the choice list." &&
	commit_change r "Review fixes:" "Show less." &&
	commit_change r "Escape ~, pointed out by tcunha." &&
	commit_change r "multi: start the state machine" "Reported by: A U Thor" &&
	commit_change r "config: guard the parser from value=NULL" &&
	commit_change r "Clear status bar cell." &&
	commit_change r "Add range() builtin (fix #317)" &&
	commit_change r "Check event loop creation return value. Fix #3951." &&
	commit_change r "Accept lowercase c- and m- prefix" &&
	commit_change r "config: warn on inaccessible files" &&
	commit_change r "url: accept port number zero" "Reported-by: A U Thor <author@example.com>" &&
	commit_change r "lib: prefer time(NULL) over time(&var)" &&
	commit_change r "setup: stop using the_repository in prefix_path()" &&
	commit_change r "describe: teach --match to handle branches" &&
	commit_change r "Need to update the cursor before drawing." &&
	commit_change r "tree-diff: no need to pass match to skip_uninteresting()" &&
	commit_change r "rotate-window command." &&
	commit_change r "remove audit command" &&
	commit_change r "Fix clippy warnings" &&
	commit_change r "lint: fix bugs in the lint script" &&
	commit_change r "honor the NO_COLOR env var" &&
	commit_change r "Do not need getopt.h." &&
	commit_change r "Collect up line clears so we don'"'"'t need to flush everything." &&
	commit_change r "Fix tokens line number calculation when whitespace stripping is used" &&
	commit_change r "Fix indentation" &&
	commit_change r "grep-regex: add fast path for -w/--word-regexp" &&
	commit_change r "connected: close err_fd in promisor fast-path" &&
	commit_change r "tar: Always use correct length in safe_fprintf" &&
	commit_change r "os.Kill signal cannot be trapped (#1641)" &&
	commit_change r "commands: Stop select_regex from breaking when no matches." &&
	commit_change r "redis-cli: ignore SIGPIPE network errors" &&
	commit_change r "make it compile on linux" &&
	commit_change r "upstream commit" "$(printf "revision 1.47\ndate: 2017/05/08 14:53:27;  author: millert;  state: Exp;\nFix exponential CPU use with repeated operators\n\nOK tb@")" &&
	commit_change r "- (djm) [auth-pam.c] Avoid use of xstrdup in conversation function" &&
	echo "- more keys" >r/TODO && git -C r add TODO && test_tick &&
	git -C r commit -q -m "Update." &&
	mkdir -p r/t r/.github/workflows &&
	echo t >r/t/t5600-clone.sh && echo ci >r/.github/workflows/ci.yml &&
	git -C r add t .github && test_tick &&
	git -C r commit -q -m "Fix flaky clone test on Windows" &&
	mkdir -p r/web && echo "{}" >r/web/package.json && echo x >r/web/app.js &&
	git -C r add web && test_tick &&
	git -C r commit -q -m "fix: upgrade esbuild to 0.20.x (#16079)" &&
	echo "armhf:" >r/Makefile && echo "arch: armhf" >r/.travis.yml &&
	git -C r add Makefile .travis.yml && test_tick &&
	git -C r commit -q -m "Add armhf build to Travis CI" &&
	echo "dist: clean" >>r/Makefile && git -C r add Makefile && test_tick &&
	git -C r commit -q -m "Makefile: fix the dist target on BSD make" &&
	commit_change r "Add test for less 529"
'

test_expect_success 'each rule decides, and says so' '
	git -C r patterns extract -q --include-unknown &&
	git -C r patterns list --json -n 1000 >list.json &&
	rules list.json >actual &&
	cat >expect <<-\EOF &&
	- (djm) [auth-pam.c] Avoid use of xstrdup in conversation function=bug_fix keyword:avoid
	Accept lowercase c- and m- prefix=feature_addition keyword:accept
	Add armhf build to Travis CI=unknown files:build-only
	Add range() builtin (fix #317)=feature_addition keyword:add
	Add test for less 529=testing phrase:add-test
	Check event loop creation return value. Fix #3951.=bug_fix issue:fixes
	Clear status bar cell.=bug_fix keyword:clear
	Collect up line clears so we don'"'"'t need to flush everything.=bug_fix keyword:don'"'"'t
	Do not need getopt.h.=refactoring phrase:do-not-need
	Escape ~, pointed out by tcunha.=bug_fix phrase:pointed-out-by
	Fix clippy warnings=refactoring lint:clippy
	Fix flaky clone test on Windows=testing keyword:test
	Fix indentation=unknown keyword:indentation
	Fix tokens line number calculation when whitespace stripping is used=bug_fix keyword:fix
	Git 2.36.2=unknown release
	Include windows.h on win32 for Sleep=bug_fix keyword:include
	Initial import=feature_addition keyword:initial
	Make hostip.c compile again=bug_fix phrase:compile-again
	Makefile: fix the dist target on BSD make=bug_fix keyword:fix
	Need to update the cursor before drawing.=bug_fix phrase:need-to
	New commands: BITOP and BITCOUNT.=feature_addition keyword:new
	Review fixes:=bug_fix keyword:fixes
	Sync OpenBSD patchset 217:=feature_addition keyword:show
	Update jemalloc to 5.2.1=unknown dependency:update
	Update.=documentation files:docs-only
	added support to dump registers on crash=feature_addition phrase:added-support
	commands: Stop select_regex from breaking when no matches.=bug_fix keyword:when
	commit: teach --fixup to take a path=feature_addition keyword:teach
	config: guard the parser from value=NULL=bug_fix keyword:guard
	config: tweak the cache=bug_fix body:leaks
	config: tweak the index=unknown none
	config: tweak the lookup=bug_fix trailer:reported-by
	config: tweak the parser=bug_fix trailer:fixes
	config: tweak the reader=unknown none
	config: tweak the walker=bug_fix body:fix
	config: tweak the writer=bug_fix trailer:bug
	config: warn on inaccessible files=feature_addition keyword:warn
	connected: close err_fd in promisor fast-path=unknown none
	curl.h: CURLE_FUNCTION_NOT_FOUND is no longer in use=refactoring phrase:no-longer-in-use
	describe: teach --match to handle branches=feature_addition keyword:teach
	filter: close the descriptor in case of error=bug_fix phrase:case-of-error
	fix: upgrade esbuild to 0.20.x (#16079)=unknown dependency:upgrade
	git status: Show detailed dirty status of submodules=feature_addition keyword:show
	grep-regex: add fast path for -w/--word-regexp=optimization phrase:fast-path
	honor the NO_COLOR env var=feature_addition keyword:env
	http: reject HTTP response codes < 100=bug_fix keyword:reject
	http: reset the size when clearing the curl handle=bug_fix keyword:reset
	lib: prefer time(NULL) over time(&var)=refactoring keyword:prefer
	line-log: avoid unnecessary tree diffs=optimization phrase:avoid-unnecessary
	lint: fix bugs in the lint script=bug_fix keyword:fix
	make it compile on linux=bug_fix phrase:make-builds
	multi: start the state machine=bug_fix trailer:reported-by
	os.Kill signal cannot be trapped (#1641)=unknown none
	rebase: make the backend configurable=feature_addition keyword:configurable
	redis-cli: ignore SIGPIPE network errors=bug_fix keyword:ignore
	refs.c: remove the update_ref_lock function=refactoring keyword:remove
	refs: fix missing parameter documentation=documentation keyword:documentation
	remove audit command=refactoring keyword:remove
	restore: take tree-ish from --source option instead=feature_addition keyword:option
	rotate-window command.=feature_addition subject:command
	setup: stop using the_repository in prefix_path()=refactoring phrase:stop-using
	tar: Always use correct length in safe_fprintf=bug_fix keyword:always
	tree-diff: no need to pass match to skip_uninteresting()=refactoring phrase:no-need
	upstream commit=bug_fix keyword:fix
	url: accept port number zero=bug_fix trailer:reported-by
	usage.c: add a non-fatal bug() function=feature_addition keyword:add
	utf8.c: mark file-local function static=refactoring keyword:static
	worktree: add skeleton '"'"'repair'"'"' command=feature_addition keyword:add
	wt-status: use argv_array API=refactoring keyword:use
	EOF
	test_cmp expect actual
'

test_expect_success 'show names the body rule that decided' '
	id=$(json_get list.json "[p for p in d[\"patterns\"] if p[\"commit_msg\"] == \"config: tweak the lookup\"][0][\"pattern_id\"]") &&
	git -C r patterns show "$id" >out &&
	test_grep "^Rule: +trailer:reported-by$" out
'

test_expect_success 'a store labelled by an older classifier version is relabelled' '
	git clone -q r old &&
	git -C old patterns extract -q --include-unknown &&
	"$PYTHON" - old/.git/patterns/patterns.db "$(sed -n "s/^#define CLASSIFY_VERSION //p" "$SRC_ROOT/src/local/classify.h")" <<-\PY &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	# as an older version left them: the release and the trailer unknown by no rule
	db.execute("UPDATE patterns SET problem_type = ?, rule = ? WHERE commit_msg IN (?, ?)",
	           ("unknown", "none", "Git 2.36.2", "config: tweak the lookup"))
	(v,) = db.execute("SELECT value FROM meta WHERE key = ?", ("classify.version",)).fetchone()
	assert v.split()[0] == sys.argv[2], (v, sys.argv[2])
	db.execute("UPDATE meta SET value = ? WHERE key = ?",
	           ("3 " + v.split()[1], "classify.version"))
	db.commit()
	PY
	git -C old patterns extract --include-unknown 2>err &&
	test_grep "Relabelled" err &&
	git -C old patterns list --json -n 1000 >after.json &&
	rules after.json >after &&
	test_grep "^Git 2.36.2=unknown release$" after &&
	test_grep "^config: tweak the lookup=bug_fix trailer:reported-by$" after
'

test_done
