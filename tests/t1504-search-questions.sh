#!/bin/sh
test_description='git patterns search answers questions: any word may match, stop words and word forms, subject over code, one hit per solution, mechanical commits lowered'
. ./lib.sh

test_expect_success 'setup: fixes, a feature, a cherry-pick and a mass reformat' '
	git init -q repo &&
	cd repo &&
	mkdir -p src &&
	for f in cluster replication net parse; do
		echo "int $f;" >src/$f.c || return 1
	done &&
	git add . && test_tick && git commit -q -m "Import the sources" &&
	test_commit "Fix leaks in the cluster bus" src/cluster.c "void bus(void) { free(buf); }" &&
	test_commit "Fix crash when a replica reconnects" src/replication.c "if (!master) return;" &&
	test_commit "Add a timeout to client connections" src/net.c "int timeout_ms = 500;" &&
	test_commit "Fix overflow in the parser" src/parse.c "/* memory leak in this loop? */ size_t n;" &&
	git checkout -q -b side HEAD~4 &&
	test_tick && git cherry-pick -x main~3 >/dev/null &&
	git checkout -q main &&
	mkdir -p big &&
	for i in $(seq 1 120); do
		echo "/* memory leak cluster crash replica */ int f$i;" >big/f$i.c || return 1
	done &&
	git add big && test_tick && git commit -q -m "Fix style: reformat memory leak cluster code" &&
	git patterns extract -q --all &&
	git log --all --format=%s >subjects &&
	test "$(grep -c "Fix leaks in the cluster bus" subjects)" = 2
'

test_expect_success '"memory leak" finds a subject that only says "leaks"' '
	git -C repo patterns search "memory leak" >out &&
	head -1 out >first &&
	grep "Fix leaks in the cluster bus" first
'

test_expect_success 'a question: stop words do not count, not every word must match' '
	git -C repo patterns search "how do I fix a memory leak in the cluster" >out &&
	grep "Fix leaks in the cluster bus" out &&
	git -C repo patterns search "null pointer crash in replication" >out &&
	head -1 out | grep "Fix crash when a replica reconnects" &&
	git -C repo patterns search "how to add timeouts" >out &&
	head -1 out | grep "Add a timeout to client connections"
'

test_expect_success 'the subject weighs more than a comment in the code' '
	git -C repo patterns search "memory leak" >out &&
	grep -n "" out >numbered &&
	leak=$(grep "Fix leaks in the cluster bus" numbered | head -1 | cut -d: -f1) &&
	parse=$(grep "Fix overflow in the parser" numbered | cut -d: -f1) &&
	test "$leak" -lt "$parse"
'

test_expect_success 'a cherry-picked change shows once' '
	git -C repo patterns search --json "cluster bus leaks" >out.json &&
	json_get out.json "len([p for p in d[\"patterns\"] if \"cluster bus\" in p[\"commit_msg\"]])" >n &&
	echo 1 >expect &&
	test_cmp expect n
'

test_expect_success 'a mechanical commit (120 files) does not crowd the top' '
	git -C repo patterns search -n 10 "memory leak cluster crash replica" >out &&
	head -2 out >top &&
	grep "Fix crash when a replica reconnects" top &&
	grep "Fix leaks in the cluster bus" top &&
	test "$(grep -c reformat out)" -le 3
'

test_expect_success 'a question of stop words only still searches; punctuation is harmless' '
	git -C repo patterns search "how" >out &&
	git -C repo patterns search "\"leak\" OR (" >out &&
	grep "Fix leaks" out
'

test_done
