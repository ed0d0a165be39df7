#!/bin/sh
test_description='git patterns extract: classification (SPEC §4 fixed rules, phrasings, files, mechanical commits)'
. ./lib.sh

# types FILE: "subject=problem_type" per commit of a JSONL file, sorted
types() {
	"$PYTHON" -c '
import json, sys
seen = {}
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    seen[r["commit_msg"]] = r["problem_type"]
for s in sorted(seen):
    print(s + "=" + seen[s])' "$1"
}

# commit_files DIR SUBJECT FILE...: write every FILE, commit them with SUBJECT
commit_files() {
	dir=$1 subject=$2 &&
	shift 2 &&
	for f in "$@"; do
		mkdir -p "$dir/$(dirname "$f")" &&
		echo "$subject" >>"$dir/$f" || return 1
	done &&
	test_tick &&
	git -C "$dir" add -- "$@" &&
	git -C "$dir" commit -q -m "$subject"
}

test_expect_success 'setup: one commit per fixed rule' '
	git init -q r &&
	commit_files r "Initial import" src/main.c package.json pnpm-lock.yaml README.md \
		tests/test_main.py &&
	commit_files r "fix(deps): update dependency vite to v5.0.1" package.json pnpm-lock.yaml &&
	commit_files r "Bump lodash from 4.17.20 to 4.17.21" package.json pnpm-lock.yaml &&
	commit_files r "fix: handle a missing config file" src/main.c &&
	commit_files r "chore: fix lint" src/main.c &&
	commit_files r "Fix typo in README" README.md &&
	commit_files r "Fix typo in an error message" src/main.c &&
	commit_files r "Fix broken link" docs/guide.md README.md &&
	commit_files r "Fix flaky replication test" tests/test_main.py &&
	commit_files r "Add prefix option" src/main.c &&
	commit_files r "Remove debug output" src/main.c &&
	commit_files r "Refactor dispatch logic" src/main.c &&
	commit_files r "Postfix operators in the parser" src/main.c &&
	commit_files r "Update address book" src/main.c &&
	commit_files r "Sanitize user input in login form" src/main.c &&
	commit_files r "Memory leak in DEBUG RELOAD" src/main.c &&
	commit_files r "XINFO should use lookupKeyReadOrReply" src/main.c &&
	commit_files r "Geo: COUNT option for GEORADIUS" src/main.c &&
	commit_files r "Replace wrongly free with zfree" src/main.c &&
	commit_files r "Make parsing faster" src/main.c &&
	git -C r revert --no-edit HEAD >/dev/null &&
	echo x >>r/src/main.c && git -C r commit -q -a -m "cookie: tailmatching for domains" \
		-m "This is CVE-2013-1944." &&
	echo y >>r/src/main.c && git -C r commit -q -a -m "Set: more defensive initialisation" \
		-m "This change fixes several warnings at -O3."
'

test_expect_success 'each fixed rule decides as SPEC §4 says' '
	git -C r patterns extract -q --include-unknown -o ../all.jsonl &&
	types all.jsonl >actual &&
	cat >expect <<-\EOF &&
	Add prefix option=feature_addition
	Bump lodash from 4.17.20 to 4.17.21=unknown
	Fix broken link=documentation
	Fix flaky replication test=testing
	Fix typo in README=documentation
	Fix typo in an error message=documentation
	Geo: COUNT option for GEORADIUS=feature_addition
	Initial import=feature_addition
	Make parsing faster=optimization
	Memory leak in DEBUG RELOAD=bug_fix
	Postfix operators in the parser=unknown
	Refactor dispatch logic=refactoring
	Remove debug output=refactoring
	Replace wrongly free with zfree=bug_fix
	Revert "Make parsing faster"=unknown
	Sanitize user input in login form=security
	Set: more defensive initialisation=bug_fix
	Update address book=unknown
	XINFO should use lookupKeyReadOrReply=bug_fix
	chore: fix lint=unknown
	cookie: tailmatching for domains=security
	fix(deps): update dependency vite to v5.0.1=unknown
	fix: handle a missing config file=bug_fix
	EOF
	test_cmp expect actual
'

test_expect_success 'unknown commits (deps, revert, chore, no keyword) are skipped by default' '
	git -C r patterns extract -q -o ../known.jsonl &&
	types known.jsonl >actual &&
	test_grep -v "=unknown" actual &&
	test_grep "fix: handle a missing config file=bug_fix" actual &&
	test_grep -v "fix\\(deps\\)" actual
'

test_expect_success 'setup: a commit of 150 files, and one of 100' '
	git init -q m &&
	commit_files m "Initial import" src/main.c &&
	files= && i=0 &&
	while test $i -lt 150; do files="$files src/f$i.c"; i=$((i + 1)); done &&
	commit_files m "Fix crash in everything" $files &&
	files= && i=0 &&
	while test $i -lt 100; do files="$files lib/g$i.c"; i=$((i + 1)); done &&
	commit_files m "Fix leak in every module" $files
'

test_expect_success 'a commit changing more than 100 files is mechanical: unknown' '
	git -C m patterns extract -q --include-unknown -o ../m.jsonl &&
	types m.jsonl >actual &&
	test_grep "Fix crash in everything=unknown" actual &&
	test_grep "Fix leak in every module=bug_fix" actual &&
	git -C m patterns extract -q -o ../m-known.jsonl &&
	test_grep -v "Fix crash in everything" m-known.jsonl
'

test_expect_success 'patterns.maxCommitFiles moves the limit (0: none)' '
	git clone -q m m2 &&
	git -C m2 config patterns.maxCommitFiles 200 &&
	git -C m2 patterns extract -q -o ../m2.jsonl &&
	types m2.jsonl >actual &&
	test_grep "Fix crash in everything=bug_fix" actual &&
	git clone -q m m3 &&
	git -C m3 config patterns.maxCommitFiles 50 &&
	git -C m3 patterns extract -q --include-unknown -o ../m3.jsonl &&
	types m3.jsonl >actual &&
	test_grep "Fix leak in every module=unknown" actual &&
	git clone -q m m4 &&
	git -C m4 config patterns.maxCommitFiles 0 &&
	git -C m4 patterns extract -q -o ../m4.jsonl &&
	types m4.jsonl >actual &&
	test_grep "Fix crash in everything=bug_fix" actual
'

test_expect_success 'a bad patterns.maxCommitFiles is an error naming the key' '
	git clone -q m m5 &&
	git -C m5 config patterns.maxCommitFiles -3 &&
	test_must_fail git -C m5 patterns extract -q -o ../m5.jsonl 2>err &&
	test_grep "patterns.maxCommitFiles" err
'

test_expect_success 'show says which rule decided; show --json and list --json carry it' '
	id=$(git -C r patterns list --json --type bug_fix | "$PYTHON" -c "
import json, sys
d = json.load(sys.stdin)
print([p for p in d[\"patterns\"] if p[\"commit_msg\"] == \"Memory leak in DEBUG RELOAD\"][0][\"pattern_id\"])") &&
	git -C r patterns show "$id" >out &&
	test_grep "^Rule: +keyword:leak$" out &&
	git -C r patterns show --json "$id" >out.json &&
	test "$(json_get out.json "d[\"rule\"]")" = keyword:leak &&
	git -C r patterns list --json >list.json &&
	"$PYTHON" -c "
import json
d = json.load(open(\"list.json\"))
rules = {p[\"commit_msg\"]: p[\"rule\"] for p in d[\"patterns\"]}
assert rules[\"Fix typo in README\"] == \"files:docs-only\", rules
assert rules[\"fix(deps): update dependency vite to v5.0.1\"] == \"conventional:deps\", rules
assert rules[\"XINFO should use lookupKeyReadOrReply\"] == \"keyword:should\", rules
"
'

# old_store DIR: make DIR's store look written by the classifier before
# the rules (schema 4, no rule column, no classifier version in meta):
# "Fix typo in README" labelled bug_fix, and "Memory leak in DEBUG RELOAD"
# left out as unknown (its patterns gone, its processed mark skipped).
old_store() {
	"$PYTHON" - "$1/.git/patterns/patterns.db" <<-\PY
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	leak = db.execute("SELECT DISTINCT commit_id FROM patterns WHERE commit_msg = ?",
	                  ("Memory leak in DEBUG RELOAD",)).fetchone()[0]
	db.execute("DELETE FROM patterns WHERE commit_id = ?", (leak,))
	db.execute("UPDATE processed SET skipped_unknown = 1 WHERE commit_id = ?", (leak,))
	db.execute("UPDATE patterns SET problem_type = 'bug_fix' WHERE commit_msg = 'Fix typo in README'")
	db.execute("DELETE FROM meta WHERE key = 'classify.version'")
	db.execute("ALTER TABLE patterns DROP COLUMN rule")
	db.execute("ALTER TABLE patterns DROP COLUMN walk_seq")
	# nor what later migrations added to the tables kept below (9 to 12)
	db.execute("ALTER TABLE sync_state DROP COLUMN database_id")
	db.execute("DROP INDEX pushed_server_id")
	db.execute("ALTER TABLE patterns DROP COLUMN hunks")
	db.execute("DROP TRIGGER patterns_ad_whole")
	db.execute("DROP TABLE patterns_fts_whole")
	# a store of schema 5: no table of a later migration either
	keep = ("meta", "patterns", "processed", "sync_state", "pushed", "feedback_queue",
	        "adapter_versions", "adapter_activations")
	for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
	    if name not in keep and not name.startswith(("patterns_fts", "sqlite_")):
	        db.execute("DROP TABLE %s" % name)
	db.execute("PRAGMA user_version = 5")  # before migration 6 (the rule)
	db.commit()
	PY
}

test_expect_success 'an older store is relabelled on the next run, with no manual step' '
	git clone -q r old &&
	git -C old patterns extract -q &&
	old_store old &&
	git -C old patterns list --json >before.json &&
	test_grep -v "DEBUG RELOAD" before.json &&
	git -C old patterns extract 2>err &&
	test_grep "Relabelled [0-9]+ stored commits and released 1 once unknown" err &&
	git -C old patterns list --json >after.json &&
	"$PYTHON" -c "
import json
d = json.load(open(\"after.json\"))
got = {p[\"commit_msg\"]: (p[\"problem_type\"], p[\"rule\"]) for p in d[\"patterns\"]}
assert got[\"Fix typo in README\"] == (\"documentation\", \"files:docs-only\"), got
assert got[\"Memory leak in DEBUG RELOAD\"] == (\"bug_fix\", \"keyword:leak\"), got
assert all(rule for _, rule in got.values()), got
" &&
	git -C old patterns extract 2>err2 &&
	test_grep -v "Relabelled" err2
'

test_expect_success 'a post-commit hook relabels an older store, in the background' '
	git clone -q r hooked &&
	git -C hooked patterns extract -q &&
	old_store hooked &&
	git -C hooked patterns hook install >/dev/null &&
	(cd hooked && test_commit "Fix a crash in the parser" src/parser.c) &&
	n=0 &&
	while test $n -lt 100; do
		git -C hooked patterns list --json --type documentation >doc.json &&
		git -C hooked patterns list --json --type bug_fix >bug.json &&
		if grep -q "Fix typo in README" doc.json && grep -q "DEBUG RELOAD" bug.json &&
		   grep -q "Fix a crash in the parser" bug.json
		then
			break
		fi &&
		sleep 0.2 && n=$((n + 1)) || return 1
	done &&
	test_grep "Fix a crash in the parser" bug.json &&
	test_grep "Fix typo in README" doc.json &&
	test_grep "DEBUG RELOAD" bug.json &&
	! test -s hooked/.git/patterns/hook.log
'

test_expect_success 'a changed patterns.maxCommitFiles relabels the stored commits' '
	git clone -q m mr &&
	git -C mr patterns extract -q --include-unknown &&
	git -C mr patterns list --json --type unknown >u.json &&
	test_grep "mechanical:150-files" u.json &&
	git -C mr config patterns.maxCommitFiles 500 &&
	git -C mr patterns extract -q &&
	git -C mr patterns list --json --type bug_fix >b.json &&
	test_grep "Fix crash in everything" b.json &&
	test_grep "keyword:crash" b.json
'

test_done
