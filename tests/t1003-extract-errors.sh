#!/bin/sh
test_description='git patterns extract: bad input gives a clear fatal error and leaves nothing half-written'
. ./lib.sh

test_expect_success 'setup' '
	git init -q repo &&
	test_commit -C repo "Fix one" one.c "int one;" &&
	test_commit -C repo "Fix two" two.c "int two;"
'

test_expect_success 'not a repository' '
	mkdir plain &&
	(cd plain && GIT_CEILING_DIRECTORIES=$TRASH test_expect_code 1 git-patterns extract 2>../err) &&
	test_grep "^fatal: not a git repository" err &&
	test_expect_code 1 git patterns extract --repo-path "$TRASH/nowhere" 2>err &&
	test_grep "^fatal: .*nowhere" err
'

test_expect_success 'an unknown revision' '
	test_expect_code 1 git -C repo patterns extract nosuchref 2>err &&
	test_grep "^fatal: unknown revision .nosuchref." err &&
	test_expect_code 1 git -C repo patterns extract --rev main..nosuch 2>err &&
	test_grep "^fatal: unknown revision .main..nosuch." err &&
	test_expect_code 1 git -C repo patterns extract "HEAD^{tree}" 2>err &&
	test_grep "^fatal: revision .HEAD\^\{tree\}. is not a commit" err
'

test_expect_success 'an empty repository' '
	git init -q empty &&
	test_expect_code 1 git -C empty patterns extract 2>err &&
	test_grep "^fatal: your current branch does not have any commits yet" err
'

test_expect_success 'an unwritable output path writes nothing' '
	test_expect_code 1 git -C repo patterns extract -q -o "$TRASH/no/such/dir/out.jsonl" 2>err &&
	test_grep "^fatal: .*no/such/dir/out.jsonl" err &&
	! test -e no &&
	mkdir ro && touch ro/keep &&
	test_expect_code 1 git -C repo patterns extract -q -o "$TRASH/ro/keep/out.jsonl" 2>err &&
	ls ro >actual && echo keep >expect && test_cmp expect actual
'

test_expect_success 'two extractions that both create the store at once both succeed, ten times' '
	for i in 1 2 3 4 5 6 7 8 9 10
	do
		rm -rf repo/.git/patterns &&
		{ git -C repo patterns extract -q 2>err.a & } &&
		git -C repo patterns extract -q 2>err.b &&
		wait $! &&
		test_must_be_empty err.a &&
		test_must_be_empty err.b &&
		test "$(sqlite3 repo/.git/patterns/patterns.db \
			"SELECT count(*) FROM patterns; PRAGMA journal_mode")" = "2
wal" || return 1
	done
'

test_expect_success 'a corrupt store file' '
	git init -q bad &&
	test_commit -C bad "Fix bad" bad.c "int bad;" &&
	mkdir -p bad/.git/patterns &&
	printf "this is not a database, just text long enough to be a header block.%0500d" 0 >bad/.git/patterns/patterns.db &&
	cp bad/.git/patterns/patterns.db saved &&
	test_expect_code 1 git -C bad patterns extract 2>err &&
	test_grep "^fatal: .*patterns.db" err &&
	cmp saved bad/.git/patterns/patterns.db
'

test_expect_success 'usage errors exit 129' '
	test_expect_code 129 git -C repo patterns extract --context -4 2>err &&
	test_grep "context" err &&
	test_expect_code 129 git -C repo patterns extract --jobs -1 2>err &&
	test_expect_code 129 git -C repo patterns extract --no-such-option 2>err &&
	test_expect_code 129 git -C repo patterns extract --all main 2>err &&
	test_expect_code 129 git -C repo patterns extract -h >out &&
	test_grep "usage: git patterns extract" out
'

test_expect_success 'a bad patterns.maxFileSize is a clear error' '
	git -C repo config patterns.maxFileSize -5 &&
	test_expect_code 1 git -C repo patterns extract 2>err &&
	test_grep "^fatal: bad config value .* .patterns.maxFileSize." err &&
	git -C repo config --unset patterns.maxFileSize
'

test_expect_success 'a progress line only on a terminal; --quiet prints nothing' '
	git -C repo patterns extract -q 2>err &&
	test_line_count = 0 err &&
	git -C repo patterns extract 2>err &&
	test_grep -v "Extracting patterns" err
'

if command -v script >/dev/null 2>&1; then
	test_set_prereq TTY
fi

test_expect_success TTY 'a progress line on a terminal, not with --no-progress' '
	git init -q tty &&
	for i in 1 2 3; do test_commit -C tty "Fix $i" f$i.c "int f$i;" || return 1; done &&
	(cd tty && script -qec "git patterns extract" /dev/null) >out &&
	test_grep "Extracting patterns: 100% \(3/3\)" out &&
	git -C tty config patterns.contextLines 2 &&
	(cd tty && script -qec "git patterns extract --no-progress" /dev/null) >out &&
	test_grep -v "Extracting patterns" out &&
	test_grep "3 patterns from 3 new commits" out
'

# lock_store_for SECONDS: another writer holds the store of repo tty
lock_store_for() {
	printf "BEGIN IMMEDIATE;\n.shell sleep %s\nCOMMIT;\n" "$1" |
		sqlite3 tty/.git/patterns/patterns.db &
	lock_pid=$!
	sleep 0.5
}

test_expect_success TTY 'waiting over a second for another writer is said on a terminal, once; not with --quiet, nor off one' '
	test_commit -C tty "Fix waiting" wait.c "int w;" &&
	lock_store_for 4 &&
	(cd tty && script -qec "git patterns extract --no-progress" /dev/null) >out &&
	wait $lock_pid &&
	test_grep "^Waiting for another process to finish writing .*patterns.db\.\.\." out &&
	test "$(grep -c "^Waiting" out)" = 1 &&
	test_grep "1 patterns from 1 new commits" out &&
	test_commit -C tty "Fix waiting quietly" wait2.c "int w2;" &&
	lock_store_for 2 &&
	(cd tty && script -qec "git patterns extract --quiet" /dev/null) >out &&
	wait $lock_pid &&
	test_must_be_empty out &&
	test_commit -C tty "Fix waiting off a terminal" wait3.c "int w3;" &&
	lock_store_for 2 &&
	git -C tty patterns extract 2>err &&
	wait $lock_pid &&
	test_grep -v "Waiting" err &&
	test_grep "1 patterns from 1 new commits" err
'

test_expect_success 'a reading command does not wait for a writer: it reads what the store holds' '
	git -C tty patterns list >before &&
	test_commit -C tty "Fix reading while locked" read.c "int r;" &&
	lock_store_for 8 &&
	start=$(date +%s) &&
	git -C tty patterns list >during 2>err &&
	took=$(( $(date +%s) - start )) &&
	wait $lock_pid &&
	test "$took" -lt 5 &&
	test_cmp before during &&
	test_grep "may not follow the latest history changes" err &&
	git -C tty patterns list >after 2>err &&
	test_must_be_empty err &&
	test_grep "Fix reading while locked" after
'

test_expect_success 'a number setting that is no number is said, naming it, and its default used' '
	git init -q badcfg &&
	test_commit -C badcfg "Fix a" a.c "int a;" &&
	git -C badcfg config patterns.contextLines abc &&
	git -C badcfg patterns extract -q 2>err &&
	test_grep "bad numeric config value for .patterns.contextLines.*abc.*using 3" err &&
	git -C badcfg -c patterns.maxCommitFiles=lots patterns list >out 2>err &&
	test_line_count = 1 out &&
	git -C badcfg -c patterns.maxCommitFiles=lots patterns extract -q 2>err &&
	test_grep "bad numeric config value .lots. for .patterns.maxCommitFiles.; using 100" err
'

# A repository missing an object git needs for a diff (a damaged clone, a
# mirror without its largest files): git log -p stops there too; the
# extraction says which object and which commit, by either engine (runs
# of 256 commits and more are diffed by git diff-tree), keeps what it
# finished, and completes once the object is back.
test_expect_success 'a missing blob is named, with its commit, by either engine' '
	git init -q damaged &&
	for i in $(seq 1 300); do
		printf "commit refs/heads/main\ncommitter A <a@example.com> %d +0000\ndata 8\nFix %03d\nM 644 inline f.c\ndata <<EOF\nint v%d;\nEOF\n\n" \
			$((1000000 + i)) $i $i || return 1
	done | git -C damaged fast-import --quiet &&
	git -C damaged checkout -q main &&
	printf "\001\002binary\000" >damaged/blob.bin &&
	git -C damaged add blob.bin &&
	git -C damaged commit -qm "Add a blob" &&
	git -C damaged rm -q blob.bin &&
	git -C damaged commit -qm "Fix: drop the blob" &&
	blob=$(git -C damaged rev-parse HEAD~:blob.bin) &&
	commit=$(git -C damaged rev-parse HEAD) &&
	object=damaged/.git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	mv "$object" saved-object &&
	test_expect_code 1 git -C damaged patterns extract -q 2>err &&
	test_grep "^fatal: git diff-tree failed: unable to read $blob \\(commit $commit\\)$" err &&
	test_expect_code 1 env GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C damaged patterns extract -q 2>err &&
	test_grep "^fatal: commit $commit: cannot read blob: .*$blob" err &&
	mv saved-object "$object" &&
	git -C damaged patterns extract -q &&
	git -C damaged patterns list >out &&
	test_line_count = 300 out &&
	git clone -q --no-local damaged whole &&
	git -C whole patterns extract -q &&
	git -C whole patterns list >expect &&
	test_cmp expect out
'

test_done
