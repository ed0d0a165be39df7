#!/bin/sh
test_description='file_role and code_change on every pattern; --role and --code-only on export, list and search'
. ./lib.sh

# "file_path role code_change" per record of a JSONL file, sorted
roles() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    print(r["file_path"], r["file_role"], str(r["code_change"]).lower())' "$1" | sort
}

test_expect_success 'setup: a project with source, tests, docs and build files' '
	git init -q repo &&
	cd repo &&
	mkdir -p src tests docs lib web .github/workflows &&
	printf "int add(int a, int b)\n{\n\treturn a + b; /* sum */\n}\n" >src/add.c &&
	printf "int sub(int a, int b)\n{\n\treturn a - b;\n}\n" >src/sub.c &&
	printf "def area(r):\n    # pi r squared\n    return 3.14 * r * r\n" >lib/geo.py &&
	printf "def perimeter(r):\n    return 2 * 3.14 * r\n" >lib/perim.py &&
	printf "function hello(n) {\n  // greet\n  return \"hi \" + n;\n}\n" >web/app.js &&
	printf "function bye(n) {\n  return \"bye \" + n;\n}\n" >web/bye.js &&
	printf "test_add() { [ \$(add 1 2) = 3 ]; }\n" >tests/test_add.sh &&
	printf "# Usage\n\nRun make.\n" >docs/usage.md &&
	printf "all:\n\tcc -o add src/add.c\n" >Makefile &&
	printf "on: push\n" >.github/workflows/ci.yml &&
	git add . && test_tick && git commit -q -m "Add the calculator" &&

	printf "int add(int a, int b)\n{\n\treturn a + b; /* the sum of a and b */\n}\n" >src/add.c &&
	printf "def area(r):\n    # the area of a disc\n    return 3.14 * r * r\n" >lib/geo.py &&
	printf "function hello(n) {\n  // say hello\n  return \"hi \" + n;\n}\n" >web/app.js &&
	test_tick && git commit -q -a -m "Fix overflow in add, area and hello" &&

	printf "int sub(int a,int b)\n{\n    return a - b;\n\n}\n" >src/sub.c &&
	printf "def perimeter(r):\n\n    return 2*3.14*r\n" >lib/perim.py &&
	printf "function bye(n)\n{\n    return \"bye \"+n;\n}\n" >web/bye.js &&
	test_tick && git commit -q -a -m "Fix crash in sub, perimeter and bye" &&

	printf "int add(int a, int b)\n{\n\treturn b + a; /* the sum of a and b */\n}\n" >src/add.c &&
	printf "def area(r):\n    # the area of a disc\n    return 3.14159 * r * r\n" >lib/geo.py &&
	printf "function hello(n) {\n  // say hello\n  return \"hello \" + n;\n}\n" >web/app.js &&
	printf "test_add() { [ \$(add 2 2) = 4 ]; }\n" >tests/test_add.sh &&
	printf "# Usage\n\nRun make all.\n" >docs/usage.md &&
	printf "all:\n\tcc -O2 -o add src/add.c\n" >Makefile &&
	printf "on: [push, pull_request]\n" >.github/workflows/ci.yml &&
	test_tick && git commit -q -a -m "Fix the rounding of add, area and hello" &&
	git patterns extract -q -o ../all.jsonl
'

test_expect_success 'file_role for source, test, docs and build paths' '
	roles all.jsonl | grep -v "^src/sub.c\|perim\|bye" | sort -u -k1,2 | cut -d" " -f1,2 | sort -u >actual &&
	cat >expect <<-\EOF &&
	.github/workflows/ci.yml build
	Makefile build
	docs/usage.md docs
	lib/geo.py source
	src/add.c source
	tests/test_add.sh test
	web/app.js source
	EOF
	test_cmp expect actual
'

test_expect_success 'code_change is false for comment-only changes in C, Python and JavaScript' '
	git -C repo patterns export --type bug_fix -o ../fixes.jsonl -q &&
	"$PYTHON" -c "
import json
for l in open(\"fixes.jsonl\"):
    r = json.loads(l)
    if r[\"commit_msg\"].startswith(\"Fix overflow\"):
        print(r[\"file_path\"], r[\"code_change\"])" | sort >actual &&
	printf "lib/geo.py False\nsrc/add.c False\nweb/app.js False\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'code_change is false for whitespace-only changes in C, Python and JavaScript' '
	"$PYTHON" -c "
import json
for l in open(\"fixes.jsonl\"):
    r = json.loads(l)
    if r[\"commit_msg\"].startswith(\"Fix crash\"):
        print(r[\"file_path\"], r[\"code_change\"])" | sort >actual &&
	printf "lib/perim.py False\nsrc/sub.c False\nweb/bye.js False\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'code_change is true for a real change' '
	"$PYTHON" -c "
import json
for l in open(\"fixes.jsonl\"):
    r = json.loads(l)
    if r[\"commit_msg\"].startswith(\"Fix the rounding\") and r[\"file_path\"].endswith((\".c\", \".py\", \".js\")):
        print(r[\"file_path\"], r[\"code_change\"])" | sort >actual &&
	printf "lib/geo.py True\nsrc/add.c True\nweb/app.js True\n" >expect &&
	test_cmp expect actual
'

# A hunk that ends inside a block comment (a file's header) must not turn
# the next hunk into comment text. Older versions did, and stored such a
# change as comment-only: the next extraction puts that right, once.
test_expect_success 'a change after a hunk ending in a header comment is code; older stores repaired' '
	{ printf "/* \$Id: mul.c,v 1.1 */\n\n/*\n * Copyright\n" &&
	  seq -f " * line %g" 1 12 && printf " */\n" &&
	  seq -f "int v%g;" 1 12; } >mul.c &&
	git init -q hdr && mkdir hdr/src &&
	cp mul.c hdr/src/ && cp repo/src/add.c hdr/src/ &&
	git -C hdr add src && test_tick && git -C hdr commit -q -m "Add mul" &&
	sed -i -e "s/,v 1.1/,v 1.2/" -e "s/^int v11;/int v11 = 1;/" hdr/src/mul.c &&
	sed -i "s/the sum/the sum,/" hdr/src/add.c &&
	test_tick && git -C hdr commit -q -a -m "Fix the init of v11" &&
	git -C hdr patterns extract -q &&
	git -C hdr patterns extract -q --context 2 &&
	db=hdr/.git/patterns/patterns.db &&
	sqlite3 $db "SELECT file_path, code_change FROM patterns WHERE commit_msg = '"'Fix the init of v11'"'
		     ORDER BY 1, variant" >actual &&
	printf "src/add.c|0\nsrc/add.c|0\nsrc/mul.c|1\nsrc/mul.c|1\n" >expect &&
	test_cmp expect actual &&
	sqlite3 $db "SELECT count(*) FROM patterns WHERE code_change = 0" >before &&

	sqlite3 $db "UPDATE patterns SET code_change = 0 WHERE commit_msg = '"'Fix the init of v11'"';
		     DELETE FROM meta WHERE key = '"'code_change.hunks'"'" &&
	git -C hdr patterns extract 2>err &&
	test_grep "Marked 2 stored patterns as changing code" err &&
	sqlite3 $db "SELECT file_path, code_change FROM patterns WHERE commit_msg = '"'Fix the init of v11'"'
		     ORDER BY 1, variant" >actual &&
	test_cmp expect actual &&
	sqlite3 $db "SELECT count(*) FROM patterns WHERE code_change = 0" >after &&
	test_cmp before after &&
	git -C hdr patterns extract 2>err &&
	test_grep -v "Marked" err
'

test_expect_success 'export --role and --code-only' '
	git -C repo patterns export -q --role source --code-only -o ../clean.jsonl &&
	roles clean.jsonl | grep -c " source true$" >n-clean &&
	roles clean.jsonl | wc -l >n-all &&
	test "$(cat n-clean)" = "$(cat n-all)" &&
	roles clean.jsonl | grep "^src/add.c" | wc -l >n-add &&
	test "$(cat n-add)" = 2 &&
	git -C repo patterns export -q --role test -o ../tests.jsonl &&
	roles tests.jsonl | cut -d" " -f1 | sort -u >actual &&
	echo tests/test_add.sh >expect &&
	test_cmp expect actual &&
	test_expect_code 129 git -C repo patterns export --role code 2>err &&
	grep "unknown role .code." err
'

test_expect_success 'list and search --role and --code-only; list --json and show carry both' '
	git -C repo patterns list --role docs >out &&
	test_line_count = 2 out &&
	grep docs/usage.md out &&
	git -C repo patterns list --role source --code-only --json >out.json &&
	json_get out.json "sorted(set((p[\"file_role\"], p[\"code_change\"]) for p in d[\"patterns\"]))" >actual &&
	echo "[('"'"'source'"'"', True)]" >expect &&
	test_cmp expect actual &&
	git -C repo patterns search --code-only overflow crash >out &&
	! grep "Fix overflow\|Fix crash" out &&
	git -C repo patterns search overflow >out &&
	grep "Fix overflow" out &&
	id=$(git -C repo patterns list --role build -n 1 | cut -d" " -f1) &&
	git -C repo patterns show --json $id >show.json &&
	test "$(json_get show.json "d[\"file_role\"]")" = build &&
	git -C repo patterns show $id >show.txt &&
	grep "^Role: *build, code change" show.txt
'

test_expect_success 'a store of an older version is filled on its next use' '
	sqlite3 repo/.git/patterns/patterns.db \
		"UPDATE patterns SET file_role = '"''"', code_change = 1" &&
	git -C repo patterns export -q -o ../again.jsonl &&
	git -C repo patterns export -q -o ../again.jsonl &&
	sqlite3 repo/.git/patterns/patterns.db \
		"SELECT count(*) FROM patterns WHERE file_role = '"''"'" >n &&
	echo 0 >expect &&
	test_cmp expect n &&
	git -C repo patterns export -q -o ../all2.jsonl &&
	test_cmp all.jsonl all2.jsonl
'

test_expect_success 'vendored patterns an older version extracted are left out from then on' '
	sqlite3 repo/.git/patterns/patterns.db "
		INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path,
			problem_type, before_code, after_code, commit_msg, commit_body,
			confidence, solution_hash, file_role)
		SELECT '"'"'v1'"'"' || pattern_id, variant, origin, commit_id,
			'"'"'deps/jemalloc/src/arena.c'"'"', problem_type, before_code,
			after_code, commit_msg, commit_body, confidence, '"'"'x1'"'"', '"'"''"'"'
		FROM patterns WHERE file_path = '"'"'src/add.c'"'"' LIMIT 1;
		INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path,
			problem_type, before_code, after_code, commit_msg, commit_body,
			confidence, solution_hash, file_role)
		SELECT '"'"'v2'"'"' || pattern_id, variant, origin, commit_id,
			'"'"'test/unit/uaf.c'"'"', problem_type, before_code, after_code,
			'"'"'Squashed deps/jemalloc'"'"',
			'"'"'git-subtree-dir: deps/jemalloc'"'"' || char(10),
			confidence, '"'"'x2'"'"', '"'"''"'"'
		FROM patterns WHERE file_path = '"'"'src/add.c'"'"' LIMIT 1;" &&
	git -C repo patterns export -q -o ../after-fill.jsonl &&
	! grep "deps/jemalloc\|uaf.c" after-fill.jsonl &&
	test_cmp all.jsonl after-fill.jsonl
'

test_done
