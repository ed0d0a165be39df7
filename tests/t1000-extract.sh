#!/bin/sh
test_description='git patterns extract: records, hunks, classification, confidence'
. ./lib.sh

# rec FILE N FIELD: field of the N-th record (0-based) of a JSONL file
rec() {
	"$PYTHON" -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
print(recs[int(sys.argv[2])].get(sys.argv[3], "<absent>"))' "$1" "$2" "$3"
}

# field FILE SUBJECT FIELD: field of the record whose commit_msg is SUBJECT
field() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    if r["commit_msg"] == sys.argv[2]:
        print(r[sys.argv[3]]); break
else:
    print("<no record>")' "$1" "$2" "$3"
}

test_expect_success 'setup: the seed example' '
	git init -q repo &&
	printf "def buggy_function():\n return None + 1" >repo/fn.py &&
	test_tick &&
	git -C repo add fn.py &&
	git -C repo commit -q -m "Add fn" &&
	printf "def fixed_function():\n return 1" >repo/fn.py &&
	test_tick &&
	git -C repo commit -q -a -m "fix: handle None case in function"
'

test_expect_success 'the seed example: bug_fix, confidence 0.85, exact before/after' '
	git -C repo patterns extract -q --output ../out.jsonl &&
	test_line_count = 2 out.jsonl &&
	test "$(rec out.jsonl 0 commit_msg)" = "fix: handle None case in function" &&
	test "$(rec out.jsonl 0 problem_type)" = bug_fix &&
	test "$(rec out.jsonl 0 confidence)" = 0.85 &&
	"$PYTHON" -c "
import json
r = json.loads(open(\"out.jsonl\").readline())
assert r[\"before_code\"] == \"def buggy_function():\n return None + 1\", r
assert r[\"after_code\"] == \"def fixed_function():\n return 1\", r
assert r[\"language\"] == \"python\" and r[\"file_path\"] == \"fn.py\"
assert r[\"author\"] == \"author@example.com\" and r[\"author_name\"] == \"A U Thor\"
" &&
	grep "\"confidence\":0.85," out.jsonl
'

test_expect_success 'pattern_id is sha256("<commit>:<path>")[:16]; solution_hash as SPEC' '
	commit=$(git -C repo rev-parse HEAD) &&
	want=$(printf "%s:fn.py" "$commit" | sha256sum | cut -c1-16) &&
	test "$(rec out.jsonl 0 pattern_id)" = "$want" &&
	test "$(rec out.jsonl 0 commit)" = "$commit" &&
	want=$(printf "def buggy_function():\n return None + 1\0def fixed_function():\n return 1" | sha256sum | cut -d" " -f1) &&
	test "$(rec out.jsonl 0 solution_hash)" = "$want"
'

test_expect_success 'fields in SPEC order; old_path only for renames' '
	head -n 1 out.jsonl | "$PYTHON" -c "
import json, sys
keys = list(json.loads(sys.stdin.readline()).keys())
want = [\"pattern_id\", \"problem_type\", \"before_code\", \"after_code\", \"commit_msg\",
        \"author\", \"date\", \"confidence\", \"commit\", \"file_path\", \"language\",
        \"solution_hash\", \"author_name\", \"commit_body\", \"file_role\", \"code_change\"]
assert keys == want, keys
"
'

test_expect_success 'date is the author date in the author zone' '
	# test_tick: 1112911993 + 60 s, zone -0700
	test "$(rec out.jsonl 0 date)" = "2005-04-07 15:14:13" &&
	git init -q zone &&
	echo x >zone/x.c && git -C zone add x.c &&
	GIT_AUTHOR_DATE="1700000000 +0530" git -C zone commit -q -m "Add x" &&
	git -C zone patterns extract -q -o ../z.jsonl &&
	test "$(rec z.jsonl 0 date)" = "2023-11-15 03:43:20"
'

test_expect_success 'an added file has before_code ""; newest commit first' '
	test "$(rec out.jsonl 1 commit_msg)" = "Add fn" &&
	test "$(rec out.jsonl 1 before_code)" = "" &&
	test "$(rec out.jsonl 1 problem_type)" = feature_addition
'

test_expect_success 'setup: a file of 30 lines' '
	git init -q hunks &&
	for i in $(seq 1 30); do echo "line $i"; done >hunks/f.c &&
	test_commit -C hunks "Add f" f.c "$(cat hunks/f.c)"
'

test_expect_success 'one hunk: before/after are the hunk old/new lines with 3 context lines' '
	sed -i "s/^line 10$/LINE TEN/" hunks/f.c &&
	test_tick && git -C hunks commit -q -a -m "Fix line ten" &&
	git -C hunks patterns extract -q -o ../h.jsonl &&
	printf "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\nline 13\n" >want.before &&
	printf "line 7\nline 8\nline 9\nLINE TEN\nline 11\nline 12\nline 13\n" >want.after &&
	field h.jsonl "Fix line ten" before_code >got.before &&
	field h.jsonl "Fix line ten" after_code >got.after &&
	printf "\n" >>want.before && printf "\n" >>want.after &&
	test_cmp want.before got.before &&
	test_cmp want.after got.after
'

test_expect_success 'two hunks are concatenated in file order' '
	sed -i -e "s/^line 2$/LINE TWO/" -e "s/^line 25$/LINE 25/" hunks/f.c &&
	test_tick && git -C hunks commit -q -a -m "Fix two places" &&
	git -C hunks patterns extract -q -o ../h.jsonl &&
	"$PYTHON" -c "
import json
r = [json.loads(l) for l in open(\"h.jsonl\") if \"two places\" in l][0]
b = \"\".join(\"line %d\n\" % i for i in range(1, 6)) + \"\".join(\"line %d\n\" % i for i in range(22, 29))
a = b.replace(\"line 2\n\", \"LINE TWO\n\").replace(\"line 25\n\", \"LINE 25\n\")
assert r[\"before_code\"] == b, r[\"before_code\"]
assert r[\"after_code\"] == a, r[\"after_code\"]
"
'

test_expect_success '--context 0 and patterns.contextLines change the hunks (a new variant)' '
	git -C hunks patterns extract -q --context 0 -o ../h0.jsonl &&
	test "$(field h0.jsonl "Fix line ten" before_code)" = "line 10" &&
	git -C hunks config patterns.contextLines 1 &&
	git -C hunks patterns extract -q -o ../h1.jsonl &&
	test "$(field h1.jsonl "Fix line ten" after_code)" = "$(printf "line 9\nLINE TEN\nline 11")" &&
	git -C hunks config --unset patterns.contextLines
'

test_expect_success '--whole-file gives the whole old and new files' '
	git -C hunks patterns extract -q --whole-file -o ../w.jsonl &&
	git -C hunks show HEAD~1:f.c >want.before && echo >>want.before &&
	git -C hunks show HEAD:f.c >want.after && echo >>want.after &&
	field w.jsonl "Fix two places" before_code >got.before &&
	field w.jsonl "Fix two places" after_code >got.after &&
	test_cmp want.before got.before &&
	test_cmp want.after got.after
'

test_expect_success 'CRLF and trailing blanks are kept as bytes' '
	printf "a\r\nb  \r\n" >hunks/crlf.txt &&
	test_tick && git -C hunks add crlf.txt && git -C hunks commit -q -m "Add crlf file" &&
	git -C hunks patterns extract -q -o ../c.jsonl &&
	grep -F "\"after_code\":\"a\\r\\nb  \\r\\n\"" c.jsonl
'

test_expect_success 'setup: the tricky subjects of issue 2' '
	git init -q cls &&
	n=0 &&
	while IFS= read -r subject; do
		n=$((n + 1)) &&
		test_commit -C cls "$subject" "src/file$n.c" "int x$n;" || return 1
	done <<-\EOF &&
	Refactor dispatch logic
	Add prefix option
	Update address book
	Remove debug output
	fix(parser)!: handle empty input
	perf: cache lookups
	Sanitize user input in login form
	Revert "Add foo"
	Fix typo in README
	Fix a | b in the parser | really
	EOF
	test_commit -C cls "Add tests for parser" tests/test_parser.py "assert 1" &&
	test_commit -C cls "Update the guide" docs/guide.html "<p>"
'

test_expect_success 'classification of the tricky subjects' '
	git -C cls patterns extract -q --include-unknown -o ../cls.jsonl &&
	cat >want <<-\EOF &&
	Refactor dispatch logic=refactoring
	Add prefix option=feature_addition
	Update address book=unknown
	Remove debug output=refactoring
	fix(parser)!: handle empty input=bug_fix
	perf: cache lookups=optimization
	Sanitize user input in login form=security
	Revert "Add foo"=unknown
	Fix typo in README=documentation
	Fix a | b in the parser | really=bug_fix
	Add tests for parser=testing
	Update the guide=documentation
	EOF
	while IFS="=" read -r subject type; do
		got=$(field cls.jsonl "$subject" problem_type) &&
		test "$got" = "$type" || { echo "$subject: got $got, want $type"; return 1; }
	done <want
'

test_expect_success 'a subject with | is kept whole' '
	test "$(field cls.jsonl "Fix a | b in the parser | really" commit_msg)" = "Fix a | b in the parser | really"
'

test_expect_success 'unknown commits are left out unless --include-unknown' '
	git -C cls patterns extract -q -o ../known.jsonl &&
	test_line_count = 10 known.jsonl &&
	test_grep -v "\"problem_type\":\"unknown\"" known.jsonl
'

test_expect_success 'confidence follows the seed rule' '
	# feature keyword, added file (one side), short
	test "$(field cls.jsonl "Add prefix option" confidence)" = 0.7 &&
	# type fix: bug keyword
	test "$(field cls.jsonl "fix(parser)!: handle empty input" confidence)" = 0.75 &&
	test "$(field cls.jsonl "Update address book" confidence)" = 0.55
'

test_expect_success 'commit_body is the message after the subject' '
	git init -q body &&
	echo a >body/a.c && git -C body add a.c &&
	test_tick &&
	git -C body commit -q -m "Fix the thing" -m "Because it was broken." -m "Second paragraph." &&
	git -C body patterns extract -q -o ../b.jsonl &&
	test "$(rec b.jsonl 0 commit_body)" = "$(printf "Because it was broken.\n\nSecond paragraph.")"
'

test_expect_success 'a message in a declared encoding is re-encoded to UTF-8, as git log does' '
	git init -q enc &&
	echo a >enc/a.c && git -C enc add a.c &&
	test_tick &&
	git -C enc -c i18n.commitEncoding=ISO-8859-1 commit -q -m "$(printf "Fix caf\351 crash")" &&
	git -C enc cat-file commit HEAD | grep "^encoding ISO-8859-1" &&
	git -C enc patterns extract -q -o ../enc.jsonl &&
	"$PYTHON" -c "
import json
r = json.loads(open(\"enc.jsonl\", encoding=\"utf-8\").readline())
assert r[\"commit_msg\"] == \"Fix caf\u00e9 crash\", r[\"commit_msg\"]
"
'

test_expect_success 'the author of a commit in a declared encoding is re-encoded too' '
	echo b >enc/b.c && git -C enc add b.c &&
	test_tick &&
	GIT_AUTHOR_NAME="$(printf "Jos\351 M\374ller")" \
	git -C enc -c i18n.commitEncoding=ISO-8859-1 commit -q -m "Fix b crash" &&
	test "$(git -C enc log -1 --encoding=UTF-8 --format=%an)" = "$(printf "Jos\303\251 M\303\274ller")" &&
	git -C enc patterns extract -q -o ../enc.jsonl &&
	git -C enc patterns show --json "$(git -C enc patterns list --json |
		"$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"patterns\"][0][\"pattern_id\"])")" >show.json &&
	"$PYTHON" -c "
import json
r = json.loads(open(\"enc.jsonl\", encoding=\"utf-8\").readline())
assert r[\"commit_msg\"] == \"Fix b crash\", r
assert r[\"author_name\"] == \"Jos\u00e9 M\u00fcller\", r[\"author_name\"]
assert json.load(open(\"show.json\"))[\"author_name\"] == r[\"author_name\"]
"
'

test_expect_success 'language from names and shebangs' '
	git init -q lang &&
	mkdir -p lang/bin &&
	printf "#!/usr/bin/env python3\nprint(1)\n" >lang/bin/tool &&
	echo "all:" >lang/Makefile &&
	echo "x" >lang/data.unknownext &&
	git -C lang add . && test_tick && git -C lang commit -q -m "Add tools" &&
	git -C lang patterns extract -q -o ../l.jsonl &&
	"$PYTHON" -c "
import json
langs = {json.loads(l)[\"file_path\"]: json.loads(l)[\"language\"] for l in open(\"l.jsonl\")}
assert langs == {\"Makefile\": \"makefile\", \"bin/tool\": \"python\", \"data.unknownext\": \"\"}, langs
"
'

test_done
