#!/bin/sh
test_description='recall and list in a store that holds many team patterns beside many local ones'
. ./lib.sh

test_expect_success 'setup: 2500 local fixes of 6 KiB each, and a team copy of each' '
	git init -q -b main repo &&
	"$PYTHON" - 2500 <<-\PY | git -C repo fast-import --quiet &&
	import sys
	n = int(sys.argv[1])
	out = sys.stdout.buffer
	for i in range(n):
	    out.write(b"commit refs/heads/main\n")
	    out.write(b"committer C O Mitter <c@example.com> %d -0700\n" % (1112911993 + i))
	    msg = b"fix: bug %d\n" % i
	    out.write(b"data %d\n%s" % (len(msg), msg))
	    body = b"".join(b"int f%d_%d(int x) { return x + %d; }\n" % (i % 50, j, i)
	                    for j in range(150))
	    out.write(b"M 100644 inline src/f%d.c\ndata %d\n%s\n" % (i % 50, len(body), body))
	PY
	git -C repo checkout -q main &&
	git -C repo patterns extract --quiet &&
	wait_fts_indexed repo &&
	# what a pull from the team server leaves: the same fixes as team
	# patterns (of other solutions, so that none is a copy of a local one)
	sqlite3 -cmd ".timeout 10000" repo/.git/patterns/patterns.db "
		INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path,
			problem_type, before_code, after_code, commit_msg, confidence, language,
			file_role, code_change, rule, solution_hash, server_id)
		SELECT pattern_id, variant, '"'"'team'"'"', commit_id, file_path, problem_type,
			before_code, after_code, commit_msg, confidence, language,
			file_role, code_change, rule,
			solution_hash || '"'"'t'"'"', lower(hex(randomblob(16)))
		FROM patterns WHERE origin = '"'"'local'"'"'" &&
	git -C repo patterns list --origin team >team.list &&
	test_line_count = 2500 team.list &&
	git -C repo show HEAD~5:src/f45.c >query.c &&
	git -C repo patterns recall --file "$TRASH/query.c" >/dev/null
'

# Each team pattern is checked for a local copy (shown once, as local) by
# its solution: by the index on it, not by reading every local pattern.
test_expect_success 'recall scores every team pattern, each once' '
	git -C repo patterns recall --exhaustive --file "$TRASH/query.c" --json >q.json &&
	test "$(json_get q.json "d[\"count\"]")" = 5
'

test_expect_success 'the team patterns are listed' '
	git -C repo patterns list --origin team -n 20 >out &&
	test_line_count = 20 out
'

test_done
