#!/bin/sh
test_description='export --format commitpack: license (SPDX id of the license file at each commit) and repos (canonical URL, no credentials)'
. ./lib.sh

# the records of .c files as "subject<TAB>license<TAB>repos", oldest first
records() {
	"$PYTHON" -c '
import json, sys
for l in reversed(open(sys.argv[1], encoding="utf-8").readlines()):
    r = json.loads(l)
    if r["new_file"].endswith(".c"):
        print("%s\t%s\t%s" % (r["subject"], r["license"], r["repos"]))' "$1"
}

test_expect_success 'setup: a history whose license changes' '
	git init -q repo &&
	cd repo &&
	echo "int a;" >a.c && git add . && test_tick && git commit -q -m "Add a" &&
	cat >LICENSE <<-\EOF &&
	MIT License

	Copyright (c) 2024 A U Thor

	Permission is hereby granted, free of charge, to any person obtaining a copy
	of this software and associated documentation files (the "Software"), to deal
	in the Software without restriction.

	The above copyright notice and this permission notice shall be included in all
	copies or substantial portions of the Software.
	EOF
	echo "int b;" >b.c && git add . && test_tick && git commit -q -m "Add b under MIT" &&
	git rm -q LICENSE && cp /usr/share/common-licenses/Apache-2.0 LICENSE.txt &&
	echo "int c;" >c.c && git add . && test_tick && git commit -q -m "Add c under Apache" &&
	cp /usr/share/common-licenses/GPL-2 COPYING && cp /usr/share/common-licenses/GPL-2 LICENSE.txt &&
	echo "int d;" >d.c && git add . && test_tick && git commit -q -m "Add d under GPL" &&
	git remote add origin "https://alice:s3cret@GitHub.com/acme/widget.git/" &&
	git patterns extract -q --whole-file
'

test_expect_success 'without a whole-file extraction, CommitPack export fails and says what to run' '
	git init -q hunks-only &&
	echo "int a;" >hunks-only/a.c && git -C hunks-only add a.c &&
	git -C hunks-only commit -q -m "feat: add a" &&
	git -C hunks-only patterns extract -q &&
	test_expect_code 1 git -C hunks-only patterns export --format commitpack \
		-o ../none.jsonl 2>err &&
	test_grep "no whole-file patterns .--format commitpack needs them.: run .git patterns extract --whole-file" err &&
	! test -e none.jsonl &&
	test_expect_code 1 git -C hunks-only patterns export --whole-file 2>err &&
	test_grep "no whole-file patterns" err &&
	git -C repo patterns export --format commitpack --type security -o ../empty.jsonl 2>err &&
	test_grep "Exported 0 patterns" err &&
	test_must_be_empty empty.jsonl
'

test_expect_success 'license is the SPDX id of the license file at each commit, repos the canonical URL' '
	git -C repo patterns export -q --format commitpack -o ../cp.jsonl &&
	records cp.jsonl >actual &&
	printf "%s\t%s\t%s\n" >expect \
		"Add a" "" "https://github.com/acme/widget" \
		"Add b under MIT" "MIT" "https://github.com/acme/widget" \
		"Add c under Apache" "Apache-2.0" "https://github.com/acme/widget" \
		"Add d under GPL" "GPL-2.0" "https://github.com/acme/widget" &&
	test_cmp expect actual &&
	! grep s3cret cp.jsonl
'

test_expect_success 'an scp-like remote gives the same URL; no remote gives ""' '
	git -C repo remote set-url origin git@github.com:acme/widget.git &&
	git -C repo patterns export -q --format commitpack -o ../cp2.jsonl &&
	test_cmp cp.jsonl cp2.jsonl &&
	git -C repo remote remove origin &&
	git -C repo patterns export -q --format commitpack -o ../cp3.jsonl &&
	records cp3.jsonl | cut -f3 | sort -u >repos &&
	echo >expect &&
	test_cmp expect repos
'

test_expect_success 'lang is the language name CommitPack writes, for every language' '
	git init -q langs &&
	(cd langs &&
	 echo "int a;" >a.c && echo "puts a" >a.tcl && echo "a" >notes.txt &&
	 echo "main = pure ()" >a.hs && echo "(a)" >a.el && echo "a: 1" >a.yml &&
	 echo "x = 1" >a.py && echo "a" >a.unknownext &&
	 git add . && test_tick && git commit -q -m "Add files" &&
	 git patterns extract -q --whole-file &&
	 git patterns export -q --format commitpack -o ../langs.jsonl) &&
	"$PYTHON" -c "
import json
got = {}
for l in open(\"langs.jsonl\", encoding=\"utf-8\"):
    r = json.loads(l)
    got[r[\"new_file\"]] = r[\"lang\"]
assert got == {\"a.c\": \"C\", \"a.tcl\": \"Tcl\", \"notes.txt\": \"Text\",
               \"a.hs\": \"Haskell\", \"a.el\": \"Emacs Lisp\", \"a.yml\": \"YAML\",
               \"a.py\": \"Python\", \"a.unknownext\": \"\"}, got
"
'

test_expect_success 'export -o into a named pipe writes through it; the pipe stays' '
	git -C repo patterns export -q -o ../plain.jsonl &&
	mkfifo pipe &&
	{ timeout 20 cat pipe >from-pipe & } &&
	git -C repo patterns export -q -o ../pipe &&
	wait &&
	test -p pipe &&
	test_cmp plain.jsonl from-pipe
'

test_expect_success 'extract and export -o through a symbolic link write its file; the link stays' '
	ln -s target.jsonl link.jsonl &&
	git -C repo patterns export -q -o ../link.jsonl &&
	test -h link.jsonl &&
	test_cmp plain.jsonl target.jsonl &&
	git -C repo patterns export -q -o ../link.jsonl &&
	test -h link.jsonl &&
	test_cmp plain.jsonl target.jsonl &&
	git -C repo patterns extract -q -o ../link.jsonl &&
	test -h link.jsonl &&
	test -s target.jsonl &&
	ls >files && test_must_fail grep "tmp" files
'

test_expect_success 'export -o a folder is refused, naming it' '
	mkdir outdir &&
	test_must_fail git -C repo patterns export -q -o ../outdir 2>err &&
	test_grep "outdir.*folder" err
'

test_expect_success 'a full disk is an error naming what could not be written' '
	test -w /dev/full || { say "no /dev/full"; return 0; } &&
	seq -f "int big_%g;" 1 2000 >repo/big.c && git -C repo add big.c &&
	test_tick && git -C repo commit -q -m "feat: add big" &&
	git -C repo patterns extract -q &&
	test_expect_code 1 git -C repo patterns export -o /dev/full 2>err &&
	test_grep "^fatal: cannot write .\/dev\/full.: No space left on device" err &&
	test_expect_code 1 git -C repo patterns export >/dev/full 2>err &&
	test_grep "^fatal: cannot write standard output: No space left on device" err &&
	test_expect_code 1 git -C repo patterns extract -q -o /dev/full 2>err &&
	test_grep "/dev/full.: No space left on device" err
'

test_done
