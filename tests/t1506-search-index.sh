#!/bin/sh
test_description='extract leaves a large run'"'"'s search indexing to a detached process (patterns.autoIndex), so that the first search does not wait'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

test_expect_success 'setup: 40 fixes' '
	make_history repo 40 1 &&
	git clone -q repo copy1 && git clone -q repo copy2 && git clone -q repo copy3
'

test_expect_success 'under the limit (default 1000), nothing is indexed until a search' '
	git -C repo patterns extract -q &&
	test "$(fts_pending repo)" = 40 &&
	sleep 1 &&
	test "$(fts_pending repo)" = 40 &&
	git -C repo patterns search "fix" >out &&
	test -s out &&
	test "$(fts_pending repo)" = 0
'

test_expect_success 'over patterns.autoIndex, a detached process indexes them, with no search' '
	git -C copy1 config patterns.autoIndex 10 &&
	git -C copy1 patterns extract -q 2>err | cat &&
	test_must_be_empty err &&
	wait_fts_indexed copy1 &&
	sqlite3 copy1/.git/patterns/patterns.db \
		"SELECT count(*) FROM patterns_fts WHERE patterns_fts MATCH '\''fix'\''" >count &&
	echo 40 >expect &&
	test_cmp expect count
'

test_expect_success 'a search right after the extraction finds what one made after indexing finds' '
	git -C repo patterns search "7" >expect &&
	test_line_count = 2 expect &&
	git -C copy2 -c patterns.autoIndex=1 patterns extract -q &&
	git -C copy2 patterns search "7" >actual &&
	test_cmp expect actual &&
	git -C copy2 patterns search "bug 7" >actual &&
	head -1 actual | grep "fix: bug 7 of repo" &&
	test "$(fts_pending copy2)" = 0
'

test_expect_success 'a few patterns holding over 8 MiB of code are indexed by a detached process too' '
	git init -q big &&
	for i in 1 2 3 4 5 6; do
		seq -f "int v${i}_%g;" 1 120000 >big/file$i.c &&
		git -C big add file$i.c && test_tick &&
		git -C big commit -q -m "fix: file $i" || return 1
	done &&
	git -C big -c patterns.maxFileSize=4m patterns extract -q --whole-file &&
	wait_fts_indexed big &&
	git -C big config patterns.autoIndex 0 &&
	rm -rf big/.git/patterns &&
	git -C big -c patterns.maxFileSize=4m patterns extract -q --whole-file &&
	sleep 1 &&
	test "$(fts_pending big)" = 6
'

test_expect_success 'patterns.autoIndex=0 never starts one' '
	git -C copy3 -c patterns.autoIndex=0 patterns extract -q &&
	sleep 1 &&
	test "$(fts_pending copy3)" = 40
'

test_expect_success 'an index left undone (autoIndex=0, or its process killed): the next search does it' '
	git -C copy3 patterns search "bug" >/dev/null &&
	test "$(fts_pending copy3)" = 0 &&
	sqlite3 copy3/.git/patterns/patterns.db \
		"SELECT count(*) FROM patterns_fts WHERE patterns_fts MATCH '\''fix'\''" >count &&
	echo 40 >expect &&
	test_cmp expect count
'

# fts_count DIR TABLE WORD: rows of that full-text index matching WORD
fts_count() {
	sqlite3 "$1/.git/patterns/patterns.db" \
		"SELECT count(*) FROM $2 WHERE $2 MATCH '$3'"
}

# rows DIR SQL: a count from the store of DIR
rows() {
	sqlite3 "$1/.git/patterns/patterns.db" "SELECT count(*) FROM patterns WHERE $2"
}

test_expect_success 'whole files have their own index, which only their search fills' '
	git init -q whole &&
	{ echo "int zebra_far_above;" && seq -f "int filler_%g;" 1 30 && echo "int leak = 0;"; } >whole/a.c &&
	git -C whole add a.c && test_tick && git -C whole commit -q -m "feat: add a" &&
	sed -i "s/int leak = 0;/int leak = 1;/" whole/a.c &&
	test_tick && git -C whole commit -q -am "fix: the leak" &&
	git -C whole patterns extract -q &&
	git -C whole patterns extract -q --whole-file &&
	git -C whole patterns search zebra_far_above >out &&
	test_line_count = 1 out &&
	test_grep "feat: add a" out &&
	test "$(fts_count whole patterns_fts zebra_far_above)" = 1 &&
	test "$(rows whole "fts_indexed = 0 AND variant LIKE '\''whole,%'\''")" = 2 &&
	git -C whole patterns search --whole-file zebra_far_above >out &&
	test_line_count = 2 out &&
	test "$(fts_count whole patterns_fts_whole zebra_far_above)" = 2 &&
	test "$(fts_count whole patterns_fts zebra_far_above)" = 1 &&
	test "$(rows whole "fts_indexed = 0")" = 0 &&

	# a deleted row leaves the index it was in, and only that one
	db=whole/.git/patterns/patterns.db &&
	sqlite3 $db "DELETE FROM patterns WHERE variant LIKE '\''whole,%'\'' AND before_code = '\'''\''" &&
	test "$(fts_count whole patterns_fts_whole zebra_far_above)" = 1 &&
	test "$(fts_count whole patterns_fts zebra_far_above)" = 1 &&
	sqlite3 $db "INSERT INTO patterns_fts_whole(patterns_fts_whole, rank) VALUES ('\''integrity-check'\'', 0);
		     INSERT INTO patterns_fts(patterns_fts, rank) VALUES ('\''integrity-check'\'', 0)"
'

test_expect_success 'a store whose whole files shared the index is indexed anew, each where it belongs' '
	rm -rf whole/.git/patterns &&
	git -C whole patterns extract -q && git -C whole patterns extract -q --whole-file &&
	db=whole/.git/patterns/patterns.db &&
	# as schema 12 had it: one index for every variant
	sqlite3 $db "
		DROP TRIGGER patterns_ad_whole; DROP TABLE patterns_fts_whole; DROP TRIGGER patterns_ad;
		CREATE TRIGGER patterns_ad AFTER DELETE ON patterns WHEN old.fts_indexed BEGIN
		  INSERT INTO patterns_fts(patterns_fts, rowid, commit_msg, commit_body, file_path,
		    before_code, after_code)
		  VALUES ('\''delete'\'', old.id, old.commit_msg, old.commit_body, old.file_path,
		    old.before_code, old.after_code);
		END;
		INSERT INTO patterns_fts(rowid, commit_msg, commit_body, file_path, before_code,
		  after_code)
		SELECT id, commit_msg, commit_body, file_path, before_code, after_code FROM patterns;
		UPDATE patterns SET fts_indexed = 1;
		DROP INDEX patterns_fts_todo;
		CREATE INDEX patterns_fts_todo ON patterns(id) WHERE fts_indexed = 0;
		PRAGMA user_version = 12" &&
	test "$(fts_count whole patterns_fts zebra_far_above)" = 3 &&
	git -C whole patterns search zebra_far_above >out &&
	test_line_count = 1 out &&
	test "$(sqlite3 $db "PRAGMA user_version")" = 13 &&
	test "$(fts_count whole patterns_fts zebra_far_above)" = 1 &&
	git -C whole patterns search --whole-file zebra_far_above >out &&
	test_line_count = 2 out &&
	test "$(fts_count whole patterns_fts_whole zebra_far_above)" = 2 &&
	sqlite3 $db "INSERT INTO patterns_fts(patterns_fts, rank) VALUES ('\''integrity-check'\'', 0)"
'

test_expect_success 'a sync that pulls more than patterns.autoIndex indexes them in the background too' '
	start_server &&
	KEY=$(add_key alice) &&
	GIT_PATTERNS_API_KEY=$KEY git -C repo patterns sync -q --remote "$SERVER_URL" --push &&
	git init -q team &&
	GIT_PATTERNS_API_KEY=$KEY git -C team -c patterns.autoIndex=10 patterns sync \
		--remote "$SERVER_URL" --pull --json >out.json &&
	test "$(json_get out.json "d[\"pulled\"]")" = 40 &&
	wait_fts_indexed team
'

test_done
