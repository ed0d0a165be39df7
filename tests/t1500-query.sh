#!/bin/sh
test_description='export, list, search, show and stats read the store'
. ./lib.sh

test_expect_success 'setup: a small history' '
	git init -q repo &&
	test_commit -C repo "Add parser" src/parser.py "def parse(s):\n    return s.split()" &&
	printf "def parse(s):\n    if not s:\n        return []\n    return s.split()\n" >repo/src/parser.py &&
	test_tick && git -C repo commit -qam "fix: handle empty input in parser" &&
	test_commit -C repo "Refactor dispatch logic" lib/dispatch.c "int dispatch(void) { return 0; }" &&
	test_commit -C repo "Update address book" contacts.csv "addresses" &&
	git -C repo patterns extract --quiet
'

test_expect_success 'list shows one line per pattern, newest first' '
	git -C repo patterns list >out &&
	test_line_count = 3 out &&
	head -n 1 out >first &&
	test_grep "refactoring .* lib/dispatch.c  Refactor dispatch logic$" first &&
	tail -n 1 out >last &&
	test_grep "feature_addition .* src/parser.py  Add parser$" last
'

test_expect_success 'list filters by type and language' '
	git -C repo patterns list --type bug_fix >out &&
	test_line_count = 1 out &&
	test_grep "fix: handle empty input" out &&
	git -C repo patterns list --language c >out &&
	test_line_count = 1 out &&
	test_grep "lib/dispatch.c" out
'

test_expect_success 'a language is matched whatever its case, as linguist writes it too' '
	git -C repo patterns list --language Python >out &&
	test_line_count = 2 out &&
	git -C repo patterns export --language C >out.jsonl &&
	test_line_count = 1 out.jsonl &&
	git -C repo patterns search --language PYTHON parser >out &&
	test_grep "src/parser.py" out
'

test_expect_success 'list -n 0 shows nothing, as git log -n 0; -n 2 two' '
	git -C repo patterns list -n 0 >out &&
	test_must_be_empty out &&
	git -C repo patterns list -n 0 --json >out.json &&
	test "$(json_get out.json "d[\"count\"]")" = 0 &&
	git -C repo patterns list -n 2 >out &&
	test_line_count = 2 out
'

test_expect_success 'list --json is one document' '
	git -C repo patterns list --json >out.json &&
	test "$(json_get out.json "d[\"count\"]")" = 3 &&
	test "$(json_get out.json "d[\"patterns\"][0][\"problem_type\"]")" = refactoring
'

test_expect_success 'an unknown type is a usage error' '
	test_expect_code 129 git -C repo patterns list --type nonsense 2>err &&
	test_grep "unknown problem type" err
'

test_expect_success 'search finds words in code, message and path, ranked' '
	git -C repo patterns search empty input >out &&
	test_line_count = 1 out &&
	test_grep "bug_fix" out &&
	git -C repo patterns search dispatch >out &&
	test_grep "lib/dispatch.c" out
'

test_expect_success 'search text with FTS syntax characters does not fail' '
	git -C repo patterns search "foo-bar \"x" AND OR "(" >out &&
	test_line_count = 0 out
'

test_expect_success 'show by id prefix prints the pattern and its code' '
	id=$(git -C repo patterns list --type bug_fix --json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"patterns\"][0][\"pattern_id\"])") &&
	git -C repo patterns show ${id%????????????} >out &&
	test_grep "^pattern $id$" out &&
	test_grep "^Type: +bug_fix$" out &&
	test_grep "^\+\+\+ after$" out &&
	test_grep "if not s:" out &&
	git -C repo patterns show --json $id >show.json &&
	test "$(json_get show.json "d[\"pattern_id\"]")" = "$id"
'

test_expect_success 'show of a missing or malformed id fails clearly' '
	test_must_fail git -C repo patterns show 0000000000000000 2>err &&
	test_grep "no pattern .0000000000000000." err &&
	test_must_fail git -C repo patterns show "ab%" 2>err &&
	test_grep "is not a pattern id" err
'

test_expect_success 'export writes JSONL with the filters' '
	git -C repo patterns export >all.jsonl &&
	test_line_count = 3 all.jsonl &&
	git -C repo patterns export --type bug_fix --output ../fix.jsonl 2>err &&
	test_line_count = 1 fix.jsonl &&
	test_grep "Exported 1 patterns" err &&
	git -C repo patterns extract --quiet --include-unknown &&
	git -C repo patterns export --include-unknown >unk.jsonl &&
	test_line_count = 4 unk.jsonl &&
	git -C repo patterns export >all2.jsonl &&
	test_cmp all.jsonl all2.jsonl &&
	git -C repo patterns export --min-confidence 0.99 >none.jsonl &&
	test_line_count = 0 none.jsonl
'

test_expect_success 'export --format commitpack uses the whole-file extraction' '
	git -C repo patterns extract --quiet --whole-file &&
	git -C repo patterns export --format commitpack >cp.jsonl &&
	test_line_count = 3 cp.jsonl &&
	"$PYTHON" -c "
import json
recs = [json.loads(l) for l in open(\"cp.jsonl\")]
fix = [r for r in recs if r[\"subject\"].startswith(\"fix:\")][0]
assert fix[\"old_file\"] == fix[\"new_file\"] == \"src/parser.py\", fix
assert fix[\"new_contents\"].startswith(\"def parse(s):\\n    if not s\"), fix
assert fix[\"lang\"] == \"Python\", fix
assert list(fix) == [\"commit\",\"old_file\",\"new_file\",\"old_contents\",\"new_contents\",\"subject\",\"message\",\"lang\",\"license\",\"repos\"], list(fix)
"
'

test_expect_success 'export to an unwritable path fails and leaves nothing' '
	mkdir ro && chmod 555 ro &&
	if test "$(id -u)" = 0; then
		# root writes anywhere: use a path under a file instead
		test_must_fail git -C repo patterns export --output ../all.jsonl/x 2>err
	else
		test_must_fail git -C repo patterns export --output ../ro/x.jsonl 2>err
	fi &&
	test_grep "^fatal: cannot write" err &&
	test -z "$(ls ro)"
'

test_expect_success 'stats summarises the store' '
	git -C repo patterns stats >out &&
	test_grep "^Patterns: +4 \(4 local, 0 from the team\)$" out &&
	test_grep "^  unknown +1$" out &&
	test_grep "^  bug_fix +1$" out &&
	git -C repo patterns stats --json >stats.json &&
	test "$(json_get stats.json "d[\"type\"][\"refactoring\"]")" = 1
'

test_expect_success 'search also finds what was extracted after the last search' '
	test_commit -C repo "fix: quadratic lookup in resolver" lib/resolver.c "int resolve(void) { return 1; }" &&
	git -C repo patterns extract --quiet &&
	git -C repo patterns search quadratic resolver >out &&
	test_line_count = 1 out &&
	test_grep "lib/resolver.c" out &&
	# (the whole-file extraction has its own index, which its own search fills)
	sqlite3 repo/.git/patterns/patterns.db "SELECT count(*) FROM patterns
		WHERE fts_indexed = 0 AND variant NOT LIKE '"'whole,%'"'" >todo &&
	echo 0 >expect &&
	test_cmp expect todo
'

test_expect_success 'paths with a newline, a tab or a quote are quoted as git quotes them' '
	git init -q odd &&
	printf "int a;\n" >"odd/$(printf "new\nline.c")" &&
	printf "int b;\n" >"odd/$(printf "tab\there.c")" &&
	printf "int c;\n" >"odd/say \"hi\".c" &&
	printf "int d;\n" >"odd/plain name.c" &&
	git -C odd add . && test_tick && git -C odd commit -q -m "Add odd files" &&
	git -C odd patterns extract --quiet &&
	git -C odd patterns list >out &&
	test_line_count = 4 out &&
	test_grep " \"new\\\\nline.c\"  Add odd files$" out &&
	test_grep " \"tab\\\\there.c\"  Add odd files$" out &&
	test_grep " \"say \\\\\"hi\\\\\".c\"  Add odd files$" out &&
	test_grep " plain name.c  Add odd files$" out &&
	git -C odd patterns search line >out &&
	test_line_count = 1 out &&
	git -C odd patterns show "$(cut -d" " -f1 out)" >show &&
	test_grep "^File: +\"new\\\\nline.c\"$" show &&
	git -C odd patterns list --json >out.json &&
	"$PYTHON" -c "
import json
paths = sorted(p[\"file_path\"] for p in json.load(open(\"out.json\"))[\"patterns\"])
assert paths == [\"new\\nline.c\", \"plain name.c\", \"say \\\"hi\\\".c\", \"tab\\there.c\"], paths
"
'

test_done
