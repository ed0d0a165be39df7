#!/bin/sh
test_description='cross-project learning on the team server, PostgreSQL backend, two servers'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

use_postgres
. "$TEST_SRC/lib-projects-api.sh"

test_expect_success '50 concurrent outcomes through two servers on one database count 50' '
	port2=$(free_port) &&
	(git-patterns serve --listen 127.0.0.1:$port2 --db "$DB_URL" --threads 8 \
		--access-log none 2>s2.log & echo $! >s2.pid) &&
	cat s2.pid >>"$EXTRA_PIDS" &&
	wait_for_health http://127.0.0.1:$port2 &&
	python3 conc.py "$SERVER_URL" http://127.0.0.1:$port2 &&
	kill -TERM $(cat s2.pid)
'

test_expect_success 'a profile changed through another server is seen at once by the first' '
	port3=$(free_port) &&
	(git-patterns serve --listen 127.0.0.1:$port3 --db "$DB_URL" --access-log none 2>s3.log & echo $! >s3.pid) &&
	cat s3.pid >>"$EXTRA_PIDS" &&
	wait_for_health http://127.0.0.1:$port3 &&
	cat >cache.py <<-\EOF &&
	import sys
	exec(open("xp.py").read())
	other = sys.argv[1]
	def similar():
	    return [p["project_id"] for p in call("GET", "/projects/" + ids["web"] + "/similar")[1]["similar_projects"]]
	assert ids["js"] not in similar()
	r = requests.post(other + "/projects", headers={"X-API-Key": KEYS["carol"]},
	                  json={"repo_url": "https://h.example/team/js", "language": "python",
	                        "framework": "django", "domain": "web"})
	assert r.status_code == 200, r.text
	assert ids["js"] in similar()
	EOF
	python3 cache.py http://127.0.0.1:$port3 &&
	kill -TERM $(cat s3.pid)
'

test_expect_success 'the new tables and the suggestion index are in the schema' '
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT indexname FROM pg_indexes WHERE tablename IN ('"'"'patterns'"'"', '"'"'projects'"'"', '"'"'applications'"'"') ORDER BY 1" >idx &&
	test_grep "^idx_patterns_project_rank$" idx &&
	test_grep "^projects_canonical_url_key$" idx &&
	test_grep "^applications_pkey$" idx
'

test_done
