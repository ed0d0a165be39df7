#!/bin/sh
test_description='hook run keeps the store current: commit, merge, amend, rebase'
. ./lib.sh

# permissions mean nothing to root
test "$(id -u)" != 0 && test_set_prereq SANITY


# export == what a fresh clone extracts from the current history (once the
# background jobs are done)
check_current_history() {
	rm -rf fresh &&
	git clone -q "$1" fresh &&
	git -C fresh patterns extract --quiet --output ../expect.jsonl &&
	# commits with the same committer time may come in another order
	sort expect.jsonl >expect.sorted &&
	wait_until "git -C $1 patterns export --quiet | sort | cmp -s - expect.sorted" &&
	git -C "$1" patterns export --quiet | sort >actual.sorted &&
	test_cmp expect.sorted actual.sorted
}

# the number of exported patterns of repository $1 becomes $2
wait_for_count() {
	wait_until "test \$(git -C $1 patterns export --quiet | wc -l) = $2"
}

# wait (at most 20 s) until the store of $1 has $2 patterns of commit $3
wait_for_patterns() {
	local i=0
	while test $i -lt 200; do
		n=$(git -C "$1" patterns export --quiet | grep -c "\"commit\":\"$3\"")
		test "$n" = "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "commit $3 has $n patterns in the store of $1, expected $2"
	return 1
}

test_expect_success 'post-commit extracts the new commit' '
	git init -q repo && git -C repo patterns hook install >/dev/null &&
	(cd repo && test_commit "feat: add one" one.c "int one;" &&
	 test_commit "fix: repair two" two.c "int two;") &&
	wait_for_count repo 2 &&
	git -C repo patterns export --quiet >out &&
	test_line_count = 2 out &&
	test_grep "\"commit_msg\":\"fix: repair two\"" out &&
	test_grep "\"commit\":\"$(git -C repo rev-parse HEAD)\"" out &&
	! test -e repo/.git/patterns/hook.log
'

test_expect_success 'amend: only the amended commit is exported' '
	(cd repo && echo "int two = 2;" >two.c && test_tick &&
	 git commit -q -a --amend -m "fix: repair two properly") &&
	check_current_history repo &&
	git -C repo patterns export --quiet >out &&
	test_line_count = 2 out &&
	! test_grep "repair two\"" out &&
	check_current_history repo &&
	git -C repo patterns list >list &&
	! test_grep "fix: repair two$" list
'

test_expect_success 'commit and amend at once, five times: the jobs race, the result is right' '
	for i in 1 2 3 4 5; do
		(cd repo && echo "int race$i;" >race.c && git add race.c && test_tick &&
		 git commit -q -m "feat: add race $i" &&
		 echo "int race$i = $i;" >race.c && git add race.c &&
		 git commit -q --amend -m "feat: add race $i, amended") || return 1
	done &&
	check_current_history repo &&
	git -C repo patterns export --quiet >out &&
	! grep "add race [0-9]\"" out
'

test_expect_success 'rebase onto a new base: exactly the current history is exported' '
	(cd repo && git checkout -q -b topic &&
	 test_commit "feat: add three" three.c "int three;" &&
	 test_commit "fix: fix three" three.c "int three = 3;" &&
	 git checkout -q main &&
	 test_commit "feat: add four" four.c "int four;" &&
	 git checkout -q topic && test_tick && git rebase -q main) &&
	check_current_history repo &&
	git -C repo patterns export --quiet >out &&
	test_line_count = 10 out &&
	git -C repo patterns stats --json >stats &&
	test "$(json_get stats "d.get(\"obsolete\")")" -ge 2
'

test_expect_success 'post-rewrite extracts every rewritten commit, parents too' '
	git init -q rw &&
	test_commit -C rw "feat: add one" one.c "int one;" &&
	test_commit -C rw "fix: fix one" one.c "int one = 1;" &&
	test_commit -C rw "fix: fix one again" one.c "int one = 11;" &&
	a=$(git -C rw rev-parse HEAD~1) && b=$(git -C rw rev-parse HEAD) &&
	# as after a rebase that rewrote two commits, the first the parent of the second
	printf "%s %s\n%s %s\n" 1111111111111111111111111111111111111111 $a \
		2222222222222222222222222222222222222222 $b |
	git -C rw patterns hook run post-rewrite rebase &&
	wait_for_count rw 2 &&
	git -C rw patterns export --quiet >out &&
	test_grep "fix one again" out &&
	test_grep "fix: fix one\"" out
'

test_expect_success 'post-merge: what a pull brings in is extracted' '
	git clone -q repo clone && git -C clone patterns hook install >/dev/null &&
	(cd repo && git checkout -q main &&
	 GIT_PATTERNS_HOOK=0 && export GIT_PATTERNS_HOOK &&
	 test_commit "feat: add five" five.c "int five;" &&
	 test_commit "perf: speed up five" five.c "static int five;") &&
	(cd clone && git pull -q --no-rebase origin main) &&
	wait_until "git -C clone patterns export --quiet | grep -q \"speed up five\"" &&
	git -C clone patterns export --quiet >out &&
	test_grep "speed up five" out &&
	test_grep "add five" out &&
	! test -e clone/.git/patterns/hook.log
'

test_expect_success 'a merge commit brings the side branch in' '
	(cd clone && git checkout -q -b side HEAD~2 &&
	 GIT_PATTERNS_HOOK=0 test_commit "feat: add six" six.c "int six;" &&
	 git checkout -q main && git merge -q --no-edit side) &&
	wait_until "git -C clone patterns export --quiet | grep -q \"add six\"" &&
	git -C clone patterns export --quiet >out &&
	test_grep "add six" out
'

test_expect_success 'GIT_PATTERNS_HOOK=0 turns the hook off' '
	git init -q off && git -C off patterns hook install >/dev/null &&
	(cd off && GIT_PATTERNS_HOOK=0 && export GIT_PATTERNS_HOOK &&
	 test_commit "feat: add x" x.c) &&
	! test -e off/.git/patterns
'

test_expect_success 'an unusable store: the commit succeeds and hook.log says why' '
	git init -q broken && git -C broken patterns hook install >/dev/null &&
	mkdir -p broken/.git/patterns &&
	echo "this is not a database, and it is long enough to be read as one" \
		>broken/.git/patterns/patterns.db &&
	(cd broken && test_commit "feat: add y" y.c 2>err && ! test -s err) &&
	git -C broken rev-parse HEAD &&
	wait_until "grep -q \"post-commit: error: .*patterns.db\" broken/.git/patterns/hook.log" &&
	test_grep "post-commit: error: .*patterns.db" broken/.git/patterns/hook.log &&
	git -C broken patterns hook status >out &&
	test_grep "^last logged in .*/broken/.git/patterns/hook.log:$" out &&
	test_grep "^  .* post-commit: error: .*patterns.db" out &&
	git -C broken patterns hook status --json >json &&
	json_get json "d[\"last_logged\"]" | grep "post-commit: error"
'

test_expect_success SANITY 'a read-only store: the commit succeeds and hook.log says why' '
	git init -q ro && git -C ro patterns hook install >/dev/null &&
	(cd ro && test_commit "feat: add z" z.c) &&
	wait_for_count ro 1 &&
	chmod a-w ro/.git/patterns/patterns.db* ro/.git/patterns &&
	(cd ro && test_commit "fix: fix z" z.c "int z;" 2>err && ! test -s err) &&
	wait_until "test -s ro/.git/patterns/hook.log" &&
	chmod u+w ro/.git/patterns &&
	test_grep "post-commit: error: " ro/.git/patterns/hook.log
'

test_expect_success 'a large commit (80 files: over the hook limit of 50, under patterns.maxCommitFiles) is finished in the background' '
	git init -q big && git -C big patterns hook install >/dev/null &&
	(cd big && test_commit "feat: start" start.c) &&
	wait_for_count big 1 &&
	mkdir big/many && for i in $(seq 1 80); do echo "int v$i;" >big/many/f$i.c; done &&
	(cd big && git add many && test_tick && git commit -q -m "feat: add many files") &&
	wait_for_patterns big 80 "$(git -C big rev-parse HEAD)" &&
	! test -e big/.git/patterns/hook.log
'

# hold_store_lock DB SECONDS: take the store's write lock for SECONDS (in
# the background; returns once the lock is held)
hold_store_lock() {
	rm -f "$TRASH/locked"
	"$PYTHON" -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")
' "$1" "$2" "$TRASH/locked" &
	while ! test -e "$TRASH/locked"; do sleep 0.05; done
}

test_expect_success 'a store locked by someone else: the commit does not wait for it' '
	git init -q locked && git -C locked patterns hook install >/dev/null &&
	(cd locked && test_commit "feat: first" first.c) &&
	wait_for_count locked 1 &&
	hold_store_lock locked/.git/patterns/patterns.db 4 &&
	echo "int second;" >locked/second.c && git -C locked add second.c &&
	start=$(date +%s) &&
	git -C locked commit -q -m "fix: second while locked" &&
	test $(($(date +%s) - start)) -lt 3 &&
	wait_for_patterns locked 1 "$(git -C locked rev-parse HEAD)" &&
	! test -e locked/.git/patterns/hook.log
'

test_expect_success 'a large commit returns at once even while the store is locked' '
	hold_store_lock big/.git/patterns/patterns.db 4 &&
	for i in $(seq 1 80); do echo "int w$i;" >>big/many/f$i.c; done &&
	git -C big add many && start=$(date +%s) &&
	git -C big commit -q -m "fix: change many files" &&
	test $(($(date +%s) - start)) -lt 2 &&
	wait_for_patterns big 80 "$(git -C big rev-parse HEAD)"
'

test_expect_success 'two worktrees commit at the same moment: both land in the store' '
	git init -q conc && (cd conc && test_commit "feat: base" base.c) &&
	git -C conc patterns hook install >/dev/null &&
	git -C conc worktree add -q -b two ../conc2 &&
	for i in 1 2 3 4 5 6; do
		echo "int a$i;" >conc/a$i.c && git -C conc add a$i.c &&
		echo "int b$i;" >conc2/b$i.c && git -C conc2 add b$i.c &&
		{ git -C conc commit -q -m "feat: add a$i" & p1=$!; } &&
		{ git -C conc2 commit -q -m "feat: add b$i" & p2=$!; } &&
		wait $p1 && wait $p2 || return 1
	done &&
	wait_for_count conc 12 &&
	git -C conc patterns export --quiet >out &&
	test_line_count = 12 out &&
	for i in 1 2 3 4 5 6; do
		test_grep "\"commit_msg\":\"feat: add a$i\"" out &&
		test_grep "\"commit_msg\":\"feat: add b$i\"" out || return 1
	done &&
	! test -e conc/.git/patterns/hook.log
'

test_done
