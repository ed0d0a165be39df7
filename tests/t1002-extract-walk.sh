#!/bin/sh
test_description='git patterns extract: what is walked, where the store is, incremental runs'
. ./lib.sh

subjects() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(l)["commit_msg"])' "$1"
}

test_expect_success 'setup: main with five fixes, a topic branch and a tag' '
	git init -q repo &&
	for i in 1 2 3 4 5; do
		test_commit -C repo "Fix bug $i" "src/f$i.c" "int f$i;" || return 1
	done &&
	git -C repo tag v1 HEAD~2 &&
	git -C repo checkout -q -b topic &&
	test_commit -C repo "Fix topic bug" src/topic.c "int t;" &&
	git -C repo checkout -q main
'

test_expect_success 'HEAD by default, newest first' '
	git -C repo patterns extract -q -o ../out.jsonl &&
	subjects out.jsonl >actual &&
	printf "Fix bug %s\n" 5 4 3 2 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'a range A..B, --rev, C^! and ^A' '
	git -C repo patterns extract -q -o ../r.jsonl v1..main &&
	printf "Fix bug %s\n" 5 4 >expect &&
	subjects r.jsonl >actual && test_cmp expect actual &&
	git -C repo patterns extract -q -o ../r2.jsonl --rev v1..main &&
	test_cmp r.jsonl r2.jsonl &&
	git -C repo patterns extract -q -o ../one.jsonl "HEAD~1^!" &&
	echo "Fix bug 4" >expect &&
	subjects one.jsonl >actual && test_cmp expect actual &&
	git -C repo patterns extract -q -o ../not.jsonl topic ^main &&
	echo "Fix topic bug" >expect &&
	subjects not.jsonl >actual && test_cmp expect actual
'

test_expect_success 'A...B walks both sides minus the merge base' '
	test_commit -C repo "Fix main only" src/m.c "int m;" &&
	git -C repo patterns extract -q -o ../sym.jsonl main...topic &&
	printf "Fix main only\nFix topic bug\n" >expect &&
	subjects sym.jsonl | sort >actual && test_cmp expect actual
'

test_expect_success '--all walks every ref' '
	git -C repo patterns extract -q --all -o ../all.jsonl &&
	test_line_count = 7 all.jsonl
'

test_expect_success '--since-date takes git dates and filters by committer date' '
	# "Fix bug N" was committed at 2005-04-07 22:13:13 UTC + N-1 minutes
	git -C repo patterns extract -q --since-date "2005-04-07 22:15:00 +0000" -o ../since.jsonl &&
	subjects since.jsonl >actual &&
	printf "Fix bug %s\n" 5 4 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'works from a subdirectory, with --repo-path and with git -C' '
	(cd repo/src && git patterns extract -q -o ../../sub.jsonl) &&
	git patterns extract -q --repo-path repo -o path.jsonl &&
	git -C repo patterns extract -q -o ../c.jsonl &&
	test_cmp sub.jsonl c.jsonl &&
	test_cmp path.jsonl c.jsonl
'

test_expect_success 'a linked worktree shares the store of its repository' '
	git -C repo worktree add -q ../wt topic &&
	(cd wt && git patterns extract -o ../wt.jsonl 2>../err) &&
	test_grep "0 new commits .6 commits in range, 6 already extracted" err &&
	test_path=repo/.git/patterns/patterns.db &&
	test -f $test_path &&
	! test -e wt/.git/patterns &&
	subjects wt.jsonl >actual &&
	head -n 1 actual >first && echo "Fix topic bug" >expect && test_cmp expect first
'

test_expect_success 'a bare repository keeps its store inside it' '
	git clone -q --bare repo bare.git &&
	git -C bare.git patterns extract -q -o ../bare.jsonl &&
	test -f bare.git/patterns/patterns.db &&
	test_line_count = 6 bare.jsonl
'

test_expect_success 'GIT_DIR and GIT_WORK_TREE (git --git-dir, --work-tree) name the repository' '
	# from outside any repository
	mkdir -p nowhere &&
	(cd nowhere &&
	 GIT_DIR="$TRASH/bare.git" git patterns list --limit 100 >../env.out &&
	 git --git-dir="$TRASH/bare.git" patterns stats >../stats.out) &&
	test_line_count = 6 env.out &&
	test_grep "bare.git/patterns/patterns.db" stats.out &&
	# from inside another repository: GIT_DIR wins, as it does for git
	git -C repo --git-dir="$TRASH/bare.git" patterns stats >stats.out &&
	test_grep "bare.git/patterns/patterns.db" stats.out &&
	# a bare repository with a work tree elsewhere (a dotfiles setup)
	git --git-dir=bare.git --work-tree=nowhere patterns list --limit 100 >wt.out &&
	test_cmp env.out wt.out &&
	test_must_fail env GIT_DIR="$TRASH/nowhere" git patterns list 2>err &&
	test_grep "not a git repository: .*nowhere" err
'

test_expect_success 'a range of several tips, with commits of one committer time, is what git log walks' '
	git init -q same &&
	(cd same &&
	 same_time_history &&
	 set -- $m $p~2 $side $e ^$m ^$side ^$e ^$p &&
	 git rev-list "$@" >expect &&
	 test_line_count = 0 expect &&
	 git patterns extract -q -o ../several.jsonl "$@" &&
	 set -- $m $p $side $e ^$m ^$side ^$e ^$p~2 &&
	 git rev-list "$@" >expect &&
	 test_line_count = 2 expect &&
	 git patterns extract -q -o ../two.jsonl "$@") &&
	test_line_count = 0 several.jsonl &&
	subjects two.jsonl | sort -u >actual &&
	printf "fix: repair p4\nfix: repair p5\n" >expect &&
	test_cmp expect actual
'

# list_subjects DIR: the subjects git patterns list shows, once each, in its order
list_subjects() {
	git -C "$1" patterns list --json -n 1000 >list.json &&
	"$PYTHON" -c '
import json, sys
seen = []
for p in json.load(open(sys.argv[1]))["patterns"]:
    if p["commit_msg"] not in seen:
        seen.append(p["commit_msg"])
print("\n".join(seen))' list.json
}

test_expect_success 'commits of one committer time list in history order, as git log shows them' '
	git init -q order &&
	(cd order &&
	 same_time_history &&
	 git update-ref refs/heads/main $p &&
	 git symbolic-ref HEAD refs/heads/main) &&
	git -C order patterns extract -q &&
	list_subjects order >actual &&
	git -C order log --format=%s >expect &&
	test_cmp expect actual &&
	git -C order patterns export -o ../order.jsonl &&
	subjects order.jsonl | uniq >actual &&
	test_cmp expect actual
'

test_expect_success 'and so do they when a later run extracts the newer ones' '
	git init -q order2 &&
	(cd order2 &&
	 same_time_history &&
	 git update-ref refs/heads/main $p~3 &&
	 git symbolic-ref HEAD refs/heads/main &&
	 git patterns extract -q &&
	 git update-ref refs/heads/main $p &&
	 git patterns extract -q) &&
	list_subjects order2 >actual &&
	git -C order2 log --format=%s >expect &&
	test_cmp expect actual
'

test_expect_success 'a shallow clone: walked as git log walks it, the boundary commit left out' '
	git clone -q --depth 2 "file://$TRASH/repo" shallow &&
	git -C shallow patterns extract -q -o ../sh.jsonl &&
	git -C shallow log --format=%s >log &&
	test_line_count = 2 log &&
	# its parent was not fetched: what it changed is unknown (t1508)
	head -n 1 log >expect &&
	subjects sh.jsonl | uniq >actual &&
	test_cmp expect actual &&
	git -C shallow patterns extract -q -o ../one.jsonl "HEAD^!" &&
	test_line_count = 1 one.jsonl &&
	git -C shallow patterns extract -q -o ../none.jsonl "HEAD~1^!" &&
	test_line_count = 0 none.jsonl
'

test_expect_success 'a re-run writes nothing new and gives a byte-identical file' '
	git -C repo patterns extract -o ../again1.jsonl 2>err1 &&
	sqlite3 -cmd ".timeout 10000" repo/.git/patterns/patterns.db "SELECT count(*), max(id) FROM patterns" >before &&
	git -C repo patterns extract -o ../again2.jsonl 2>err2 &&
	sqlite3 -cmd ".timeout 10000" repo/.git/patterns/patterns.db "SELECT count(*), max(id) FROM patterns" >after &&
	test_cmp before after &&
	test_grep "0 patterns from 0 new commits" err2 &&
	cmp again1.jsonl again2.jsonl
'

test_expect_success 'a commit skipped as unknown is processed again with --include-unknown' '
	test_commit -C repo "Update address book" src/book.c "int book;" &&
	git -C repo patterns extract -q -o ../u1.jsonl &&
	test_grep -v "address book" u1.jsonl &&
	git -C repo patterns extract --include-unknown -o ../u2.jsonl 2>err &&
	test_grep "1 patterns from 1 new commits" err &&
	test_grep "\"Update address book\"" u2.jsonl &&
	git -C repo patterns extract -q -o ../u3.jsonl &&
	test_cmp u1.jsonl u3.jsonl
'

test_expect_success 'new commits after a full run are picked up' '
	git -C repo patterns extract -q &&
	test_commit -C repo "Fix after the run" src/late.c "int late;" &&
	git -C repo patterns extract 2>err &&
	test_grep "1 patterns from 1 new commits" err
'

test_expect_success 'setup: a generated history of 3000 commits' '
	"$PYTHON" "$SRC_ROOT/bench/gen-history.py" big 3000 5 &&
	git clone -q big big2 &&
	test "$(git -C big rev-list --count HEAD)" = 3000
'

dump() {
	sqlite3 -cmd ".timeout 10000" "$1/.git/patterns/patterns.db" "
		SELECT pattern_id, variant, origin, commit_id, file_path, old_path, problem_type,
		       hex(before_code), hex(after_code), commit_msg, commit_body, author,
		       author_name, date, commit_time, confidence, language, solution_hash, obsolete
		FROM patterns ORDER BY pattern_id, variant;
		SELECT commit_id, variant, skipped_unknown FROM processed ORDER BY commit_id, variant;
		SELECT count(*) FROM patterns_fts WHERE patterns_fts MATCH 'note';"
}

test_expect_success 'kill -9 in the middle, then a re-run: the store of an uninterrupted run' '
	git -C big2 patterns extract -q || return 1
	git -C big patterns extract -q -j1 --no-progress &
	pid=$!
	db=big/.git/patterns/patterns.db &&
	n=0 && done=0 &&
	while test $n -lt 2000; do
		done=$(sqlite3 -cmd ".timeout 10000" $db "SELECT count(*) FROM processed" 2>/dev/null || echo 0) &&
		test "${done:-0}" -gt 0 && break
		n=$((n + 1))
		sleep 0.01
	done &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	partial=$(sqlite3 -cmd ".timeout 10000" $db "SELECT count(*) FROM processed") &&
	echo "processed before the kill: $partial" >&2 &&
	test "$partial" -gt 0 &&
	test "$partial" -lt 3000 &&
	git -C big patterns extract -q &&
	git -C big patterns search nothing-matches-this >/dev/null &&
	sqlite3 -cmd ".timeout 10000" $db "INSERT INTO patterns_fts(patterns_fts) VALUES('\''integrity-check'\'')" &&
	dump big >actual &&
	git -C big2 patterns search nothing-matches-this >/dev/null &&
	dump big2 >expect &&
	test_cmp expect actual
'

test_expect_success 'git diff-tree (many commits) and libgit2 give the same patterns' '
	git clone -q big big-procs &&
	git clone -q big big-threads &&
	git -C big-procs patterns extract -q --include-unknown -o "$PWD/procs.jsonl" &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C big-threads patterns extract -q --include-unknown \
		-o "$PWD/threads.jsonl" &&
	test_line_count -gt 3000 procs.jsonl &&
	test_cmp threads.jsonl procs.jsonl &&
	git -C big-threads patterns search nothing-matches-this >/dev/null &&
	git -C big-procs patterns search nothing-matches-this >/dev/null &&
	dump big-threads >expect &&
	dump big-procs >actual &&
	test_cmp expect actual
'

test_expect_success 'the git diff processes die with a killed extraction' '
	git clone -q big big-kill || return 1
	git-patterns extract --repo-path big-kill -q -j2 --include-unknown &
	pid=$!
	n=0 &&
	while ! ps -o pid= --ppid $pid >workers || test_line_count -lt 2 workers
	do
		test $n -lt 1000 || break
		n=$((n + 1))
		sleep 0.005
	done &&
	test_line_count = 2 workers &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	n=0 &&
	while ps -o stat=,pid= -p "$(cat workers | tr "\n" " ")" | grep -v "^Z" >left
	do
		test $n -lt 200 || break
		n=$((n + 1))
		sleep 0.01
	done &&
	test_line_count = 0 left
'

test_done
