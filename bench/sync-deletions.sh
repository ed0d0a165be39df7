#!/bin/sh
# bench/sync-deletions.sh [N] [D] [BIN...]: the cost of deletions on the
# server for a clone that pushed N patterns (default 100,000): D of them
# (default 1000) are deleted on the server, then the clone pulls the D
# deletions (git patterns sync --pull), once with each binary BIN (default:
# build/bin/git-patterns), each on a copy of the same store. Each deletion
# runs "UPDATE pushed SET server_id = NULL WHERE server_id = ? AND remote =
# ?" (store_puller_drop), which without an index on pushed(server_id) reads
# every push record. The same D statements are also timed alone, with the
# sqlite3 shell, on a copy of the store without and with that index.
#
# The history is made with git fast-import (N/10 commits of 10 small C
# files), pushed to a SQLite team server on loopback by the first BIN.
set -e
N=${1:-100000}
D=${2:-1000}
shift 2 2>/dev/null || shift $#
ROOT=$(cd "$(dirname "$0")/.." && pwd)
test $# -gt 0 || set -- "$ROOT/build/bin/git-patterns"
for b in "$@"; do test -x "$b" || { echo "no binary $b" >&2; exit 1; }; done
. "$ROOT/bench/lib.sh"
server_work deletions
export GIT_CONFIG_PARAMETERS="'patterns.autoindex=0'"
GP=$1

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.3f", $2 - $1 }'; }

fix_history repo $((N / 10))
(cd repo && "$GP" extract --quiet)

start_server "$GP" none
KEY=$GIT_PATTERNS_API_KEY
(cd repo && "$GP" sync --push --quiet --remote "$URL")
DB=repo/.git/patterns/patterns.db
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pushed: $(sqlite3 "$DB" "SELECT count(*) FROM pushed") push records, $(sqlite3 "$DB" "PRAGMA user_version"): store schema"

# delete D of them on the server, over one connection
sqlite3 "$DB" "SELECT server_id FROM pushed ORDER BY random() LIMIT $D" >ids
sed "s|.*|url = \"$URL/patterns/&\"|" ids >curl.cfg
curl -s -o /dev/null -X DELETE -H "X-API-Key: $KEY" -K curl.cfg
echo "deleted on the server: $D"
cp -a repo/.git/patterns store.saved

# the D statements alone, without and with the index
{
	echo "BEGIN;"
	sed "s|.*|UPDATE pushed SET server_id = NULL WHERE server_id = '&' AND remote = '$URL';|" ids
	echo "COMMIT;"
} >updates.sql
for idx in without with; do
	rm -rf st && cp -a store.saved st
	if test $idx = without; then
		sqlite3 st/patterns.db "DROP INDEX IF EXISTS pushed_server_id"
	else
		sqlite3 st/patterns.db \
			"CREATE INDEX IF NOT EXISTS pushed_server_id ON pushed(server_id) WHERE server_id IS NOT NULL"
	fi
	plan=$(sqlite3 st/patterns.db "EXPLAIN QUERY PLAN UPDATE pushed SET server_id = NULL WHERE server_id = 'x' AND remote = 'y'" | tail -n 1)
	t0=$(now)
	sqlite3 st/patterns.db <updates.sql
	t1=$(now)
	echo "$D UPDATEs $idx the index: $(elapsed $t0 $t1) s ($plan)"
done

# the pull of the deletions, with each binary
for b in "$@"; do
	rm -rf repo/.git/patterns && cp -a store.saved repo/.git/patterns
	# open (and migrate) the store first: the migration is not the pull
	(cd repo && "$b" stats >/dev/null)
	t0=$(now)
	(cd repo && "$b" sync --pull --quiet --remote "$URL")
	t1=$(now)
	echo "sync --pull of $D deletions with $b (store schema $(sqlite3 "$DB" "PRAGMA user_version")): $(elapsed $t0 $t1) s"
done
