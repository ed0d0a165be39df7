#!/bin/sh
test_description='git patterns extract in a partial clone (git clone --filter=blob:none): git fetches the blobs it lacks'
. ./lib.sh

# A partial clone has the commits and trees but not the blobs of older
# versions; git fetches a missing blob from the promisor remote when it
# needs it (git log -p does), libgit2 cannot. The extraction diffs a
# partial clone with git whatever the number of commits, so a short run
# (a hook's) works there too, and gives what a full clone gives.

# commit_fix N: a commit in src changing a C file and a script (whose
# language comes from its #! line, read from the blob)
commit_fix() {
	echo "int v$1 = $1;" >>src/a.c &&
	printf "#!/bin/sh\necho %s\n" "$1" >src/run &&
	git -C src add a.c run &&
	test_tick &&
	git -C src commit -q -m "Fix value $1"
}

# patterns DIR: the exported patterns of DIR's store, as a user sees them
patterns() {
	git -C "$1" patterns export --quiet
}

test_expect_success 'setup: a history served with filters allowed' '
	git init -q src &&
	git -C src config uploadpack.allowFilter true &&
	git -C src config uploadpack.allowAnySHA1InWant true &&
	for i in $(seq 1 20); do commit_fix $i || return 1; done &&
	git clone -q --filter=blob:none "file://$TRASH/src" partial &&
	git clone -q "file://$TRASH/src" full &&
	test "$(git -C partial config remote.origin.promisor)" = true &&
	git -C partial rev-list --objects --missing=print HEAD >objects &&
	test_grep "^?" objects
'

test_expect_success 'a short run extracts a partial clone as a full one' '
	git -C partial patterns extract -q &&
	git -C full patterns extract -q &&
	patterns partial >partial.jsonl &&
	patterns full >full.jsonl &&
	test_line_count = 40 full.jsonl &&
	test_cmp full.jsonl partial.jsonl &&
	test_grep "\"file_path\":\"run\",\"language\":\"shell\"" partial.jsonl
'

test_expect_success 'commits pulled later are extracted there too' '
	for i in 21 22 23; do commit_fix $i || return 1; done &&
	git -C partial pull -q &&
	git -C full pull -q &&
	git -C partial patterns extract -q &&
	git -C full patterns extract -q &&
	patterns partial >partial.jsonl &&
	patterns full >full.jsonl &&
	test_line_count = 46 full.jsonl &&
	test_cmp full.jsonl partial.jsonl
'

test_expect_success 'without the partial clone check, libgit2 cannot read the missing blobs' '
	git clone -q --filter=blob:none "file://$TRASH/src" partial2 &&
	test_expect_code 1 env GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C partial2 patterns extract -q 2>err &&
	test_grep "cannot read blob: object not found" err
'

test_done
