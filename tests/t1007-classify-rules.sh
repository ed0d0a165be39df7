#!/bin/sh
test_description='git patterns extract: the classifier rules beyond the fixed ones (CLASSIFY_VERSION 3)'
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
	mkdir -p r/t r/.github/workflows &&
	echo t >r/t/t5600-clone.sh && echo ci >r/.github/workflows/ci.yml &&
	git -C r add t .github && test_tick &&
	git -C r commit -q -m "Fix flaky clone test on Windows" &&
	mkdir -p r/web && echo "{}" >r/web/package.json && echo x >r/web/app.js &&
	git -C r add web && test_tick &&
	git -C r commit -q -m "fix: upgrade esbuild to 0.20.x (#16079)"
'

test_expect_success 'each rule decides, and says so' '
	git -C r patterns extract -q --include-unknown &&
	git -C r patterns list --json -n 1000 >list.json &&
	rules list.json >actual &&
	cat >expect <<-\EOF &&
	Fix flaky clone test on Windows=testing keyword:test
	Git 2.36.2=unknown release
	Include windows.h on win32 for Sleep=bug_fix keyword:include
	Initial import=feature_addition keyword:initial
	Make hostip.c compile again=bug_fix phrase:compile-again
	New commands: BITOP and BITCOUNT.=feature_addition keyword:new
	Update jemalloc to 5.2.1=unknown dependency:update
	added support to dump registers on crash=feature_addition phrase:added-support
	commit: teach --fixup to take a path=feature_addition keyword:teach
	config: tweak the cache=bug_fix body:leaks
	config: tweak the index=unknown none
	config: tweak the lookup=bug_fix trailer:reported-by
	config: tweak the parser=bug_fix trailer:fixes
	config: tweak the reader=unknown none
	config: tweak the walker=bug_fix body:fix
	config: tweak the writer=bug_fix trailer:bug
	curl.h: CURLE_FUNCTION_NOT_FOUND is no longer in use=refactoring phrase:no-longer-in-use
	filter: close the descriptor in case of error=bug_fix phrase:case-of-error
	fix: upgrade esbuild to 0.20.x (#16079)=unknown dependency:upgrade
	git status: Show detailed dirty status of submodules=feature_addition keyword:show
	http: reject HTTP response codes < 100=bug_fix keyword:reject
	http: reset the size when clearing the curl handle=unknown none
	line-log: avoid unnecessary tree diffs=optimization phrase:avoid-unnecessary
	rebase: make the backend configurable=feature_addition keyword:configurable
	refs.c: remove the update_ref_lock function=refactoring keyword:remove
	refs: fix missing parameter documentation=documentation keyword:documentation
	restore: take tree-ish from --source option instead=feature_addition keyword:option
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

test_expect_success 'a store labelled by classifier version 2 is relabelled by version 3' '
	git clone -q r old &&
	git -C old patterns extract -q --include-unknown &&
	"$PYTHON" - old/.git/patterns/patterns.db <<-\PY &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	# as version 2 left them: the release and the trailer unknown by no rule
	db.execute("UPDATE patterns SET problem_type = ?, rule = ? WHERE commit_msg IN (?, ?)",
	           ("unknown", "none", "Git 2.36.2", "config: tweak the lookup"))
	(v,) = db.execute("SELECT value FROM meta WHERE key = ?", ("classify.version",)).fetchone()
	assert v.split()[0] == "3", v
	db.execute("UPDATE meta SET value = ? WHERE key = ?",
	           ("2 " + v.split()[1], "classify.version"))
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
