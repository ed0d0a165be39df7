#!/bin/sh
test_description='a pattern store this user may not write: read commands read it, writes say why'
. ./lib.sh

# The reader: a user who may read the repositories but not write their
# stores. As root (who ignores file modes) that is nobody, who needs a
# copy of the binary it can reach and safe.directory for the repositories
# of root (libgit2 1.5 does not take '*'); as anyone else, this user,
# with the stores made read-only (store_ro).
READER_HOME=$TRASH/reader
mkdir -p "$READER_HOME" "$TRASH/bin" &&
cp "$GIT_PATTERNS_BUILD/bin/git-patterns" "$TRASH/bin/" &&
for r in repo shared norepo; do
	printf '[safe]\n\tdirectory = %s\n' "$TRASH/$r"
done >"$READER_HOME/.gitconfig" &&
chmod -R a+rX "$TRASH" || exit 1
if test "$(id -u)" = 0; then
	if command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1 &&
	   runuser -u nobody -- test -x "$TRASH/bin/git-patterns"; then
		test_set_prereq READER
		test_set_prereq OTHER_OWNER
	fi
	as_reader() {
		runuser -u nobody -- env HOME="$READER_HOME" \
			GIT_CONFIG_GLOBAL="$READER_HOME/.gitconfig" PATH="$TRASH/bin:$PATH" "$@"
	}
	# a read-only bind mount in a mount namespace of its own (gone with it)
	if command -v unshare >/dev/null 2>&1 && mkdir -p mnt-probe &&
	   unshare -m sh -c 'mount --bind mnt-probe mnt-probe &&
			     mount -o remount,bind,ro mnt-probe' 2>/dev/null; then
		test_set_prereq MOUNT
	fi
else
	test_set_prereq READER
	as_reader() { "$@"; }
fi

# The store of repository $1 (and its log files) read-only, or writable again.
store_ro() { chmod a-w "$1/.git/patterns" "$1"/.git/patterns/patterns.db*; }
store_rw() { chmod u+w "$1/.git/patterns" "$1"/.git/patterns/patterns.db*; }
store_sum() { (cd "$1/.git/patterns" && ls -a && cksum patterns.db*); }
# fts_pending (lib.sh) on a store that may be read-only to this user
fts_pending_ro() {
	sqlite3 "file:$TRASH/$1/.git/patterns/patterns.db?immutable=1" \
		"SELECT count(*) FROM patterns WHERE fts_indexed = 0"
}

test_expect_success READER 'setup: a history its owner extracted, then a store the reader may not write' '
	git init -q repo &&
	test_commit -C repo "Add parser" src/parser.py "def parse(s):\n    return s.split()" &&
	printf "def parse(s):\n    if not s:\n        return []\n    return s.split()\n" >repo/src/parser.py &&
	test_tick && git -C repo commit -qam "fix: memory leak in parser" &&
	test_commit -C repo "Refactor dispatch logic" lib/dispatch.c "int dispatch(void) { return 0; }" &&
	git -C repo patterns extract --quiet &&
	git -C repo patterns list >owner-list &&
	test_line_count = 3 owner-list &&
	git -C repo patterns export >owner-export &&
	# nothing is in the search and recall indexes yet
	sqlite3 repo/.git/patterns/patterns.db "DELETE FROM recall_postings;
		UPDATE meta SET value = 0 WHERE key = \"recall.indexed_upto\"" &&
	test "$(fts_pending repo)" = 3 &&
	cp -R repo copy &&
	git -C copy patterns search memory leak >owner-search &&
	test_line_count = 1 owner-search &&
	git -C copy patterns recall --file src/parser.py >owner-recall &&
	test_grep "fix: memory leak in parser" owner-recall &&
	chmod -R a+rX repo &&
	store_ro repo &&
	store_sum repo >sum-before
'

test_expect_success READER 'list, show, export and stats read it' '
	as_reader git -C repo patterns list >list &&
	test_cmp owner-list list &&
	as_reader git -C repo patterns export >export &&
	test_cmp owner-export export &&
	id=$(head -n 1 list | cut -d" " -f1) &&
	as_reader git -C repo patterns show $id >show &&
	test_grep "^pattern $id" show &&
	as_reader git -C repo patterns show --json $id >show.json &&
	test "$(json_get show.json "d[\"pattern_id\"]")" = $id &&
	as_reader git -C repo patterns stats >stats &&
	test_grep "^Pattern store: .*/repo/.git/patterns/patterns.db \(.* KiB, read-only\)" stats &&
	test_grep "^Patterns: +3 " stats &&
	as_reader git -C repo patterns stats --json >stats.json &&
	test "$(json_get stats.json "d[\"read_only\"]")" = True &&
	test "$(json_get stats.json "d[\"patterns\"]")" = 3
'

test_expect_success READER 'search finds the patterns its index lacks, and says it indexes them' '
	as_reader git -C repo patterns search memory leak >search 2>err &&
	test_cmp owner-search search &&
	test_grep "note: 3 patterns of the read-only store .*/repo/.git/patterns/patterns.db. are not in its search index" err &&
	as_reader git -C repo patterns search --json --type bug_fix leak >search.json &&
	test "$(json_get search.json "d[\"count\"]")" = 1 &&
	test "$(fts_pending_ro repo)" = 3
'

test_expect_success READER 'recall finds the patterns its index lacks; the reads left the store as it was' '
	as_reader git -C repo patterns recall --file src/parser.py >recall &&
	test_cmp owner-recall recall &&
	store_sum repo >sum-after &&
	test_cmp sum-before sum-after
'

test_expect_success READER 'commands that write name the store and say why they cannot' '
	test_expect_code 1 as_reader git -C repo patterns extract 2>err &&
	test_grep "cannot write to pattern store .*/repo/.git/patterns/patterns.db.: Permission denied; run this command as a user who may write to it" err &&
	id=$(head -n 1 list | cut -d" " -f1) &&
	test_expect_code 1 as_reader git -C repo patterns feedback $id --helpful 2>err &&
	test_grep "cannot write to pattern store .*/repo/.git/patterns/patterns.db" err &&
	test_expect_code 1 as_reader git -C repo patterns adapters activate v1 2>err &&
	test_grep "cannot write to pattern store .*/repo/.git/patterns/patterns.db" err &&
	store_sum repo >sum-after &&
	test_cmp sum-before sum-after
'

test_expect_success READER 'a hook on a store its user may not write exits 0 and logs why' '
	cp -R repo shared &&
	chmod -R a+rwX shared &&
	store_ro shared &&
	git -C shared patterns hook install &&
	as_reader git -C shared patterns hook run post-commit 2>err &&
	cat shared/.git/patterns-hook.log err >log &&
	test_grep "post-commit: error: cannot write to pattern store .*/shared/.git/patterns/patterns.db" log
'

test_expect_success READER 'the commit a hook could not extract comes in with the next command of its owner' '
	printf "int dispatch(void) { return 1; }\n" >shared/lib/dispatch.c &&
	as_reader git -C shared commit -qam "fix: crash in dispatch" &&
	# the hook ran in the background; wait for what it logs
	i=0 &&
	while test "$(grep -c "cannot write to pattern store" shared/.git/patterns-hook.log)" -lt 2; do
		i=$((i + 1)) && test $i -le 100 && sleep 0.1 || break
	done &&
	test "$(grep -c "cannot write to pattern store" shared/.git/patterns-hook.log)" = 2 &&
	as_reader git -C shared patterns list >list &&
	test_grep -v "crash in dispatch" list &&
	store_rw shared &&
	git -C shared patterns list >list &&
	test_grep "bug_fix .* lib/dispatch.c  fix: crash in dispatch" list
'

test_expect_success READER 'what a writer left in the write-ahead log is read with it' '
	store_rw repo &&
	printf "def parse(s):\n    return [] if not s else s.split()\n" >repo/src/parser.py &&
	test_tick && git -C repo commit -qam "fix: crash in parser" &&
	git -C repo patterns hook run post-commit &&
	test -s repo/.git/patterns/patterns.db-wal &&
	test -f repo/.git/patterns/patterns.db-shm &&
	chmod -R a+rX repo &&
	store_ro repo &&
	as_reader git -C repo patterns list >list &&
	test_line_count = 4 list &&
	test_grep "fix: crash in parser" list &&
	as_reader git -C repo patterns search crash >search 2>err &&
	test_grep "fix: crash in parser" search
'

test_expect_success READER 'a log that cannot be read without its index is an error, not older patterns' '
	store_rw repo &&
	mv repo/.git/patterns/patterns.db-shm shm &&
	store_ro repo &&
	test_expect_code 1 as_reader git -C repo patterns list >list 2>err &&
	test_must_be_empty list &&
	test_grep "cannot read pattern store .*/repo/.git/patterns/patterns.db.: it is read-only here \(Permission denied\), and the changes in its write-ahead log .*patterns.db-wal" err &&
	store_rw repo &&
	git -C repo patterns stats >/dev/null &&
	! test -e repo/.git/patterns/patterns.db-wal &&
	store_ro repo &&
	as_reader git -C repo patterns list >list &&
	test_line_count = 4 list
'

test_expect_success READER 'an older store it cannot upgrade: the error names it and says what to do' '
	store_rw repo &&
	# as the last migration found it
	sqlite3 repo/.git/patterns/patterns.db \
		"DROP INDEX pushed_server_id; ALTER TABLE patterns DROP COLUMN hunks;
		 DROP TRIGGER patterns_ad_whole; DROP TABLE patterns_fts_whole;
		 PRAGMA user_version = 10" &&
	store_ro repo &&
	test_expect_code 1 as_reader git -C repo patterns list 2>err &&
	test_grep "cannot read pattern store .*/repo/.git/patterns/patterns.db.: an older git-patterns made it \(schema version 10; this one reads 13\)" err &&
	test_grep "any git-patterns command run by a user who may write to the store upgrades it" err &&
	store_rw repo &&
	git -C repo patterns stats >/dev/null &&
	test "$(sqlite3 repo/.git/patterns/patterns.db "PRAGMA user_version")" = 13 &&
	store_ro repo &&
	as_reader git -C repo patterns list >list &&
	test_line_count = 4 list
'

test_expect_success READER 'no store in a repository the reader may not write: a clear error' '
	git init -q norepo &&
	test_commit -C norepo "fix: repair x" x.c "int x;" &&
	chmod -R a+rX norepo &&
	chmod a-w norepo/.git &&
	for cmd in list stats "search repair" "show 0123abcd"; do
		test_expect_code 1 as_reader git -C norepo patterns $cmd 2>err &&
		test_grep "^fatal: no pattern store at .*/norepo/.git/patterns/patterns.db., and it cannot be created here: Permission denied; run .git patterns extract. as a user who may write to the repository" err ||
		return 1
	done &&
	test_expect_code 1 as_reader git -C norepo patterns extract 2>err &&
	test_grep "^fatal: cannot create pattern store .*/norepo/.git/patterns/patterns.db.: Permission denied" err &&
	! test -e norepo/.git/patterns &&
	chmod u+w norepo/.git
'

test_expect_success OTHER_OWNER 'the repositories of others are taken as git takes them: safe.directory "*" and -c' '
	mkdir star &&
	printf "[safe]\n\tdirectory = *\n" >star/.gitconfig &&
	chmod -R a+rX star &&
	READER_HOME=$TRASH/star &&
	as_reader git -C repo patterns list >list &&
	test_line_count = 4 list &&
	mkdir none &&
	chmod a+rX none &&
	READER_HOME=$TRASH/none &&
	test_expect_code 1 as_reader git -C repo patterns list 2>err &&
	# what git says, with the setting it suggests
	test_grep "detected dubious ownership in repository at .*/repo" err &&
	test_grep "git config --global --add safe.directory .*/repo" err &&
	as_reader git -c safe.directory="$TRASH/repo" -C repo patterns list >list &&
	test_line_count = 4 list
'

test_expect_success MOUNT 'on a file system mounted read-only, root reads the store and cannot write it' '
	store_rw repo &&
	git -C repo patterns list >owner-list &&
	store_sum repo >sum-before &&
	unshare -m sh -c "
		mount --bind \"$TRASH/repo\" \"$TRASH/repo\" &&
		mount -o remount,bind,ro \"$TRASH/repo\" &&
		git -C repo patterns list >list &&
		git -C repo patterns search memory leak >search &&
		git -C repo patterns stats >stats &&
		! git -C repo patterns extract 2>err &&
		git -C repo patterns hook run post-commit 2>hook-err
	" &&
	test_cmp owner-list list &&
	test_grep "fix: memory leak in parser" search &&
	test_grep "KiB, read-only\)" stats &&
	test_grep "cannot write to pattern store .*/repo/.git/patterns/patterns.db.: Read-only file system" err &&
	test_grep "post-commit: error: cannot write to pattern store" hook-err &&
	store_sum repo >sum-after &&
	test_cmp sum-before sum-after
'

test_expect_success READER 'whole files left to index do not make a search of the hunks index anything' '
	store_rw repo &&
	git -C repo patterns extract -q --whole-file &&
	git -C repo patterns search leak >/dev/null &&
	store_ro repo &&
	as_reader git -C repo patterns search leak >search 2>err &&
	test_grep "fix: memory leak in parser" search &&
	test_must_be_empty err &&
	as_reader git -C repo patterns search --whole-file leak >search 2>err &&
	test_grep "fix: memory leak in parser" search &&
	test_grep "note: .* patterns of the read-only store .* are not in its search index" err &&
	store_rw repo
'

# what the tests left read-only, so that the trash folder can go
chmod -R u+w "$TRASH"
test_done
