#!/bin/sh
test_description='git patterns search ranks by what the change says (gp_rank, BM25F): word forms and synonyms, stop words, subject over body and code, all words and words side by side first, one answer per change, vendored and mechanical commits not on top'
. ./lib.sh

# the commit subjects of a search's answers, one a line, best first
answers() {
	git -C repo patterns search --json "$@" >answers.json &&
	json_get answers.json "chr(10).join(p[\"commit_msg\"] for p in d[\"patterns\"])"
}

long_body() {
	for i in $(seq 1 30); do
		echo "The event loop now wakes up the script runner, checks the timeout"
		echo "of every script and every client, and logs the timeout it found."
	done
}

test_expect_success 'setup: fixes, a long body, a cherry-pick with other context, vendored and mechanical commits' '
	git init -q repo &&
	cd repo &&
	mkdir -p src deps/jemalloc big &&
	for f in replication net handshake script loop parse client buffer; do
		printf "/* %s */\nint a;\nint b;\nint c;\nint d;\nint e;\n" $f >src/$f.c || return 1
	done &&
	echo "int arena;" >deps/jemalloc/arena.c &&
	git add . && test_tick && git commit -q -m "Import the sources" &&
	git branch side &&

	printf "/* replication */\nint a;\nint b;\nint c;\nfree(link);\nint e;\n" >src/replication.c &&
	printf "/* net */\nint a;\nint b;\nint c;\nfree(conn);\nint e;\n" >src/net.c &&
	test_tick && git commit -q -a -m "Fix leak when a replica reconnects" &&
	git tag leak-fix &&
	test_commit "Fix segfault in the replica handshake" src/handshake.c "if (!peer) return -1;" &&
	test_commit "Fix script timeout when the server is busy" src/script.c "long timeout_ms;" &&
	echo "int loop_v2;" >>src/loop.c &&
	git add src/loop.c && test_tick &&
	git commit -q -F - <<-EOF &&
	Refactor the event loop

	$(long_body)
	EOF
	test_commit "Fix overflow in the parser" src/parse.c "/* memory leak? script timeout? */ size_t n;" &&
	test_commit "Fix use after free in client unlink" src/client.c "unlinkClient(c); c = NULL;" &&
	test_commit "Free the buffer after each use of the client" src/buffer.c "free(buf);" &&
	echo "/* a leak in jemalloc, replica crash */ int arena2;" >deps/jemalloc/arena.c &&
	git add deps && test_tick && git commit -q -m "Fix a leak in jemalloc on replica crash" &&

	for i in $(seq 1 120); do
		echo "/* leak when it reconnects */ int f$i;" >big/f$i.c || return 1
	done &&
	git add big && test_tick &&
	git commit -q -m "Reformat: fix leak code style" &&

	git checkout -q side &&
	printf "/* replication, the old way */\nint a0;\nint b0;\nint c;\nint d;\nint e;\n" >src/replication.c &&
	test_tick && git commit -q -a -m "Older replication layout" &&
	test_tick && git cherry-pick leak-fix >/dev/null &&
	git checkout -q main &&
	git patterns extract -q --all --include-unknown &&
	cd .. &&
	test "$(git -C repo log --all --format=%s | grep -c "Fix leak when a replica reconnects")" = 2
'

test_expect_success 'a cherry-pick with other context lines (another solution_hash) shows once' '
	git -C repo patterns export -o - >all.jsonl &&
	"$PYTHON" -c "
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(len(set(r[\"solution_hash\"] for r in rows if r[\"commit_msg\"].startswith(\"Fix leak when\")
              and r[\"file_path\"] == \"src/replication.c\")))" all.jsonl >n &&
	echo 2 >expect && test_cmp expect n &&
	answers "leak when a replica reconnects" >out &&
	test "$(grep -c "Fix leak when a replica reconnects" out)" = 1
'

test_expect_success 'one answer per commit: two matching files of a commit show once' '
	answers leak >out &&
	test "$(grep -c "Fix leak when a replica reconnects" out)" = 1
'

test_expect_success 'word forms: "leaking" and "leaks" find a subject that says "leak"' '
	answers leaking >out &&
	head -1 out | grep "Fix leak when a replica reconnects" &&
	answers leaks >out &&
	head -1 out | grep "Fix leak when a replica reconnects"
'

test_expect_success 'synonyms: "crash in replication" finds "segfault in the replica"' '
	answers "crash in replication" >out &&
	head -1 out | grep "Fix segfault in the replica handshake"
'

test_expect_success 'stop words do not count' '
	answers "how do I fix a leak in the replica" >out &&
	head -1 out | grep "Fix leak when a replica reconnects" &&
	answers "the the the leak" >out &&
	head -1 out | grep "Fix leak when a replica reconnects"
'

# ranks_above FILE FIRST SECOND: both are answers in FILE, FIRST above SECOND
ranks_above() {
	first=$(grep -n "$2" "$1" | head -1 | cut -d: -f1) &&
	second=$(grep -n "$3" "$1" | head -1 | cut -d: -f1) &&
	test -n "$first" && test -n "$second" && test "$first" -lt "$second"
}

test_expect_success 'the subject weighs more than a long body that repeats the words' '
	answers "script timeout" >out &&
	head -1 out | grep "Fix script timeout when the server is busy" &&
	ranks_above out "Fix script timeout" "Refactor the event loop"
'

test_expect_success 'the subject weighs more than a comment in the code' '
	answers "memory leak" >out &&
	ranks_above out "Fix leak when a replica reconnects" "Fix overflow in the parser"
'

test_expect_success 'the words side by side rank first, then every word, then some' '
	answers "use after free" >out &&
	head -1 out | grep "Fix use after free in client unlink" &&
	sed -n 2p out | grep "Free the buffer after each use of the client"
'

test_expect_success 'vendored code is not searched; a mechanical commit is not on top and shows once' '
	answers -n 10 "leak crash" >out &&
	! grep jemalloc out &&
	head -2 out >top &&
	! grep Reformat top &&
	test "$(grep -c Reformat out)" -le 1
'

test_expect_success 'filters still leave enough answers (every hit is ranked when the best are filtered out)' '
	answers -n 3 --language c leak >out &&
	test "$(wc -l <out)" -ge 2 &&
	git -C repo patterns search --json --role docs leak >docs.json &&
	echo 0 >expect &&
	json_get docs.json "d[\"count\"]" >n &&
	test_cmp expect n
'

test_done
