#!/bin/sh
test_description='rewritten history and missed commits: list and export show
exactly what a fresh extraction of the current history gives'
. ./lib.sh


# export of repository $1 == what a fresh clone of it extracts
check_current_history() {
	rm -rf fresh &&
	git clone -q "$1" fresh &&
	git -C fresh patterns extract --quiet --output ../expect.jsonl &&
	sort expect.jsonl >expect.sorted &&
	wait_until "git -C $1 patterns export --quiet | sort | cmp -s - expect.sorted" &&
	git -C "$1" patterns export --quiet | sort >actual.sorted &&
	test_cmp expect.sorted actual.sorted &&
	# list shows the same commits
	git -C "$1" patterns list --json --limit 1000 >list.json &&
	"$PYTHON" -c "
import json
exp = sorted(json.loads(l)[\"commit\"] for l in open(\"expect.sorted\"))
got = sorted(p[\"commit\"] for p in json.load(open(\"list.json\"))[\"patterns\"])
assert exp == got, (exp, got)"
}

test_expect_success 'setup: six commits made with the hooks installed' '
	git init -q repo && git -C repo patterns hook install >/dev/null &&
	(cd repo &&
	 test_commit "feat: add a" a.c "int a;" &&
	 test_commit "fix: repair b" b.c "int b;" &&
	 test_commit "feat: add c" c.c "int c;" &&
	 test_commit "fix: repair d" d.c "int d;" &&
	 test_commit "feat: add e" e.c "int e;" &&
	 test_commit "fix: repair f" f.c "int f;") &&
	check_current_history repo &&
	test_line_count = 6 actual.sorted
'

test_expect_success 'rebase -i dropping a commit: its patterns are gone' '
	dropped=$(git -C repo rev-parse HEAD~2) &&
	(cd repo && test_tick &&
	 GIT_SEQUENCE_EDITOR="sed -i -e 2d" git rebase -q -i HEAD~4) &&
	! git -C repo log --format=%H | grep $dropped &&
	check_current_history repo &&
	test_line_count = 5 actual.sorted &&
	! grep $dropped actual.sorted
'

test_expect_success 'a rebase stopped on a conflict and aborted: each commit once' '
	(cd repo &&
	 git checkout -q -b other HEAD~2 &&
	 test_commit "feat: other e" e.c "int e_other;" &&
	 git checkout -q main &&
	 test_tick &&
	 echo "int g;" >g.c && git add g.c && git commit -q -m "feat: add g" &&
	 echo "int e2;" >e.c && git commit -q -a -m "fix: repair e" &&
	 test_must_fail_rebase=0 &&
	 { git rebase -q other >/dev/null 2>&1 || test_must_fail_rebase=1; } &&
	 test $test_must_fail_rebase = 1 &&
	 git rebase --abort &&
	 git branch -D -q other) &&
	check_current_history repo
'

test_expect_success 'five rounds of rebase -i: exactly the current history' '
	for i in 1 2 3 4 5; do
		(cd repo && test_tick &&
		 GIT_SEQUENCE_EDITOR="sed -i -e 1d" git rebase -q -i --no-ff HEAD~3 &&
		 test_commit "fix: round $i" r$i.c "int r$i;") || return 1
	done &&
	check_current_history repo
'

test_expect_success 'reset --hard: the commits reset away are gone' '
	git -C repo reset -q --hard HEAD~2 &&
	check_current_history repo
'

test_expect_success 'reset --hard back to where it was: they come back' '
	git -C repo reset -q --hard ORIG_HEAD &&
	check_current_history repo
'

test_expect_success 'a rebase or amend keeps the commits another branch still has' '
	git init -q kept &&
	(cd kept &&
	 test_commit "feat: add a" a.c "int a;" &&
	 git checkout -q -b topic &&
	 test_commit "fix: repair b" b.c "int b;" &&
	 test_commit "fix: repair c" c.c "int c;" &&
	 git checkout -q main && test_commit "feat: add d" d.c "int d;" &&
	 git patterns extract --quiet --all &&
	 # a copy of topic, rebased: topic still has the originals
	 git checkout -q -b copy topic && test_tick && git rebase -q main &&
	 git rev-list --reverse main..topic >old &&
	 git rev-list --reverse main..copy >new &&
	 paste -d " " old new | git patterns hook run post-rewrite rebase &&
	 git patterns list --json --limit 100 >list.json &&
	 for c in $(cat old new); do grep -q "\"commit\": \"$c\"" list.json || return 1; done &&
	 # an amend, with a backup branch at the amended commit
	 git branch backup && was=$(git rev-parse HEAD) && test_tick &&
	 git commit -q --amend -m "fix: repair c again" &&
	 echo "$was $(git rev-parse HEAD)" | git patterns hook run post-rewrite amend &&
	 git patterns list --json --limit 100 >list.json &&
	 grep -q "\"commit\": \"$was\"" list.json &&
	 # once no branch has them, they go
	 git branch -D -q topic backup &&
	 git patterns list --json --limit 100 >list.json &&
	 ! grep -q "\"commit\": \"$was\"" list.json &&
	 for c in $(cat old); do ! grep -q "\"commit\": \"$c\"" list.json || return 1; done)
'

# An amend's jobs may wait for the store (a long extract holds it) and run
# after the user undid the amend (reset --hard HEAD@{1}): the amended
# commit was never in the remembered tips, so no later run would see it go.
test_expect_success 'hook jobs that run after their amend was undone leave nothing current' '
	git init -q undo &&
	(cd undo &&
	 test_commit "feat: add a" a.c "int a;" &&
	 test_commit "fix: repair b" b.c "int b;" &&
	 git patterns extract --quiet &&
	 was=$(git rev-parse HEAD) && test_tick &&
	 git commit -q --amend -m "fix: overflow in b" && new=$(git rev-parse HEAD) &&
	 git reset -q --hard "$was" &&
	 echo "$was $new" | git patterns hook run post-rewrite amend &&
	 git patterns list --json --limit 100 >list.json &&
	 ! grep -q "\"commit\": \"$new\"" list.json &&
	 git patterns hook run --head "$new" post-commit &&
	 git patterns list --json --limit 100 >list.json &&
	 ! grep -q "\"commit\": \"$new\"" list.json &&
	 grep -q "\"commit\": \"$was\"" list.json &&
	 echo "$was $new" | git patterns hook run post-rewrite amend &&
	 git patterns hook run --head "$new" post-commit &&
	 git patterns list --json --limit 100 >list.json &&
	 ! grep -q "\"commit\": \"$new\"" list.json &&
	 test_commit "feat: add c" c.c "int c;" &&
	 git patterns hook run --head "$(git rev-parse HEAD)" post-commit &&
	 # and once the history has it again, it is back
	 git reset -q --hard "$new" &&
	 git patterns list --json --limit 100 >list.json &&
	 grep -q "\"commit\": \"$new\"" list.json &&
	 ! grep -q "\"commit\": \"$was\"" list.json) &&
	check_current_history undo
'

# git lists a rebase's rewritten commits oldest first; commits of one
# committer time are listed in the order they were stored: newest first.
test_expect_success 'a rebase'"'"'s commits of one committer time are listed as git log lists them' '
	git init -q same &&
	(cd same &&
	 export GIT_COMMITTER_DATE="1700000000 +0000" &&
	 test_commit "feat: add a" a.c "int a;" &&
	 for i in 1 2 3 4; do test_commit "fix: crash $i" f$i.c "int f$i;" || return 1; done &&
	 git patterns extract --quiet &&
	 git rev-list --reverse HEAD~4..HEAD >old &&
	 git rebase -q --force-rebase HEAD~4 &&
	 git rev-list --reverse HEAD~4..HEAD >new &&
	 paste -d " " old new | git patterns hook run post-rewrite rebase &&
	 git log --format=%s >expect &&
	 git patterns list | sed "s/.*  //" >actual &&
	 test_cmp expect actual)
'

test_expect_success 'a run held up while another one remembers newer tips does not remember its older ones' '
	git init -q held &&
	(cd held &&
	 test_commit "feat: add a" a.c "int a;" &&
	 git patterns extract --quiet && git patterns list >/dev/null &&
	 test_commit "fix: repair b" b.c "int b;" &&
	 # a: the tips at b, held at its first write by a lock...
	 { "$PYTHON" -c "
import os, sqlite3, time
c = sqlite3.connect(\".git/patterns/patterns.db\", isolation_level=None, timeout=60)
c.execute(\"BEGIN IMMEDIATE\")
open(\"locked\", \"w\").close()
while not os.path.exists(\"release\"):
    time.sleep(0.05)
c.execute(\"COMMIT\")
" & } &&
	 py=$! &&
	 i=0 && while ! test -e locked; do
		i=$((i + 1)) && test $i -lt 400 && sleep 0.05 || exit 1
	 done &&
	 { git-patterns list >/dev/null 2>&1 & } &&
	 held=$! && sleep 1 && kill -STOP $held &&
	 # ...and stopped while b: the tips at c, remembered
	 test_commit "fix: repair c" c.c "int c;" &&
	 touch release && wait $py &&
	 git patterns list >list && test_line_count = 3 list &&
	 kill -CONT $held && wait $held &&
	 # so that both commits are seen to go
	 git reset -q --hard HEAD~2 &&
	 git patterns list >list &&
	 test_line_count = 1 list &&
	 test_grep "add a" list)
'

test_expect_success 'commits of one committer time (a rebase) stay current when HEAD moves on' '
	git init -q same &&
	(cd same &&
	 same_time_history &&
	 git update-ref refs/heads/main $m && git update-ref refs/heads/side $side &&
	 git update-ref refs/heads/extra $e &&
	 git checkout -q --detach $p~2 &&
	 git patterns extract -q --all && git patterns list >/dev/null &&
	 # HEAD moves on by two commits: the four before stay current
	 git checkout -q --detach $p &&
	 git patterns list --limit 100 >list &&
	 for i in 0 1 2 3 4 5; do test_grep "fix: repair p$i$" list || exit 1; done &&
	 test_line_count = 31 list)
'

test_expect_success 'commits made while the store was unusable are extracted later' '
	git init -q miss && git -C miss patterns hook install >/dev/null &&
	(cd miss && test_commit "feat: add a" a.c "int a;") &&
	check_current_history miss &&
	mv miss/.git/patterns/patterns.db miss/aside.db &&
	echo "this is not a database, and it is long enough to be read as one" \
		>miss/.git/patterns/patterns.db &&
	(cd miss && test_commit "fix: repair a" a.c "int a2;" &&
	 test_commit "feat: add b" b.c "int b;") &&
	wait_until "grep -q \"post-commit: error\" miss/.git/patterns/hook.log" &&
	git -C miss patterns hook status >status &&
	test_grep "post-commit: error" status &&
	rm -f miss/.git/patterns/patterns.db-* &&
	mv miss/aside.db miss/.git/patterns/patterns.db &&
	(cd miss && test_commit "fix: repair b" b.c "int b2;") &&
	check_current_history miss &&
	test_line_count = 4 actual.sorted
'

test_expect_success 'a hook log that cannot be written: the failure is logged beside it' '
	git init -q nolog && git -C nolog patterns hook install >/dev/null &&
	mkdir -p nolog/.git/patterns/hook.log &&
	echo "this is not a database, and it is long enough to be read as one" \
		>nolog/.git/patterns/patterns.db &&
	(cd nolog && test_commit "feat: add a" a.c "int a;") &&
	wait_until "grep -q \"post-commit: error\" nolog/.git/patterns-hook.log" &&
	git -C nolog patterns hook status >status &&
	test_grep "patterns-hook.log" status &&
	test_grep "post-commit: error: .*move it aside" status
'

test_expect_success 'a corrupt store says how to recover' '
	git init -q bad && (cd bad && test_commit "feat: add a" a.c "int a;") &&
	mkdir -p bad/.git/patterns &&
	echo "this is not a database, and it is long enough to be read as one" \
		>bad/.git/patterns/patterns.db &&
	test_must_fail git -C bad patterns list 2>err &&
	test_grep "move it aside" err &&
	test_grep "git patterns extract" err
'

test_done
