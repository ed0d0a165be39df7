#!/bin/sh
test_description='adapter versions: recorded by merge-adapters, list, activate, rollback'
. ./lib.sh

PYTHONPATH=$TEST_SRC
export PYTHONPATH
SQ="'"

test_expect_success NUMPY 'set up a repository and three adapters' '
	git init -q repo &&
	git -C repo config user.email alice@example.com &&
	(cd repo && "$PYTHON" - <<-\EOF
	import numpy as np, st
	for i, n in enumerate("abc"):
	    st.write(n + ".safetensors", {"w": ("F32", np.full(4, float(i + 1)))})
	EOF
	)
'

test_expect_success NUMPY 'a merge records an active version with a kept copy' '
	(cd repo && git patterns merge-adapters --adapters a.safetensors b.safetensors \
		--output team.safetensors --version-name v1 >out) &&
	test_grep "Recorded adapter version v1 .*now active" repo/out &&
	git -C repo patterns adapters list --json >list.json &&
	test "$(json_get list.json "len(d[\"versions\"])")" = 1 &&
	test "$(json_get list.json "d[\"versions\"][0][\"version_name\"]")" = v1 &&
	test "$(json_get list.json "d[\"versions\"][0][\"created_by\"]")" = alice@example.com &&
	test "$(json_get list.json "d[\"versions\"][0][\"is_active\"]")" = True &&
	test "$(json_get list.json "d[\"versions\"][0][\"method\"]")" = linear &&
	test "$(json_get list.json "d[\"versions\"][0][\"weights\"]")" = "[0.5, 0.5]" &&
	test "$(json_get list.json "d[\"versions\"][0][\"parent_versions\"]")" = "[${SQ}a.safetensors${SQ}, ${SQ}b.safetensors${SQ}]" &&
	test "$(json_get list.json "d[\"versions\"][0][\"adapter_path\"]")" = "$(cd repo && pwd -P)/team.safetensors" &&
	copy=$(json_get list.json "d[\"versions\"][0][\"copy\"]") &&
	case "$copy" in "$(cd repo && pwd -P)/.git/patterns/adapters/"*) ;; *) echo "copy in $copy"; false;; esac &&
	cmp repo/team.safetensors "$copy/adapter_model.safetensors" &&
	test -f "$copy/meta.json"
'

test_expect_success NUMPY 'a second merge names its parent version and a generated name' '
	(cd repo && git patterns merge-adapters --adapters team.safetensors c.safetensors \
		--output team2.safetensors >out) &&
	test_grep "Recorded adapter version merge-2 " repo/out &&
	git -C repo patterns adapters list --json >list.json &&
	test "$(json_get list.json "[v[\"version_name\"] for v in d[\"versions\"] if v[\"is_active\"]]")" = "[${SQ}merge-2${SQ}]" &&
	test "$(json_get list.json "d[\"versions\"][1][\"parent_versions\"]")" = "[${SQ}v1${SQ}, ${SQ}c.safetensors${SQ}]"
'

test_expect_success NUMPY 'a version name cannot be used twice (checked before merging)' '
	(cd repo && test_must_fail git patterns merge-adapters --adapters a.safetensors c.safetensors \
		--output other.safetensors --version-name v1 2>../err) &&
	test_grep "adapter version .v1. already exists" err &&
	! test -e repo/other.safetensors
'

test_expect_success NUMPY 'list shows the active version with a star' '
	git -C repo patterns adapters list >list &&
	test_line_count = 2 list &&
	test_grep "^\* [0-9a-f]{8}  merge-2 " list &&
	test_grep "^  [0-9a-f]{8}  v1 " list &&
	git -C repo patterns adapters >list2 &&
	test_cmp list list2
'

test_expect_success NUMPY 'merge over the same output path, then activate restores the old file' '
	cp repo/team.safetensors v1.bytes &&
	(cd repo && git patterns merge-adapters --adapters a.safetensors c.safetensors \
		--output team-new.safetensors --version-name v3 >/dev/null &&
		mv team-new.safetensors team.safetensors) &&
	! cmp -s repo/team.safetensors v1.bytes &&
	git -C repo patterns adapters activate v1 >out &&
	test_grep "Activated adapter version v1" out &&
	cmp repo/team.safetensors v1.bytes &&
	git -C repo patterns adapters list --json >list.json &&
	test "$(json_get list.json "[v[\"version_name\"] for v in d[\"versions\"] if v[\"is_active\"]]")" = "[${SQ}v1${SQ}]"
'

test_expect_success NUMPY 'rollback returns to the version active before, step by step' '
	git -C repo patterns adapters rollback >out &&
	test_grep "Rolled back to adapter version v3" out &&
	git -C repo patterns adapters rollback >out &&
	test_grep "Rolled back to adapter version merge-2" out &&
	git -C repo patterns adapters rollback >out &&
	test_grep "Rolled back to adapter version v1" out &&
	cmp repo/team.safetensors v1.bytes &&
	test_must_fail git -C repo patterns adapters rollback 2>err &&
	test_grep "no earlier adapter version to roll back to" err
'

test_expect_success NUMPY 'rollback to a named version, by id prefix' '
	id=$(json_get list.json "[v[\"id\"] for v in d[\"versions\"] if v[\"version_name\"] == \"merge-2\"][0]") &&
	git -C repo patterns adapters rollback "$(echo $id | cut -c1-8)" >out &&
	test_grep "Rolled back to adapter version merge-2" out &&
	cmp repo/team2.safetensors "$(json_get list.json "[v[\"copy\"] for v in d[\"versions\"] if v[\"version_name\"] == \"merge-2\"][0]")/adapter_model.safetensors"
'

test_expect_success NUMPY 'a damaged kept copy is refused' '
	copy=$(json_get list.json "d[\"versions\"][0][\"copy\"]") &&
	printf x >>"$copy/adapter_model.safetensors" &&
	test_must_fail git -C repo patterns adapters activate v1 2>err &&
	test_grep "kept copy of adapter version .v1. is damaged" err
'

test_expect_success NUMPY 'a damaged kept copy does not replace the file in place' '
	cmp repo/team.safetensors v1.bytes &&
	test_must_fail git -C repo patterns adapters activate v1 2>err &&
	test_grep "kept copy of adapter version .v1. is damaged" err &&
	cmp repo/team.safetensors v1.bytes &&
	test -z "$(ls repo | grep "\.tmp-")" &&
	git -C repo patterns adapters list --json >list.json &&
	test "$(json_get list.json "[v[\"version_name\"] for v in d[\"versions\"] if v[\"is_active\"]]")" = "[${SQ}merge-2${SQ}]"
'

test_expect_success 'usage errors and unknown versions' '
	test_expect_code 129 git -C repo patterns adapters frob 2>err &&
	test_grep "unknown subcommand" err &&
	test_expect_code 129 git -C repo patterns adapters activate 2>err &&
	test_expect_code 129 git -C repo patterns adapters rollback a b 2>err &&
	test_must_fail git -C repo patterns adapters activate nosuch 2>err &&
	test_grep "no adapter version .nosuch." err
'

test_expect_success '--no-record writes the merge without a version' '
	git init -q repo2 &&
	cp repo/a.safetensors repo/b.safetensors repo2/ &&
	(cd repo2 && git patterns merge-adapters --no-record --adapters a.safetensors b.safetensors \
		--output o.safetensors >/dev/null) &&
	git -C repo2 patterns adapters list >list &&
	test_line_count = 0 list
'

test_expect_success NUMPY 'activating the active version again: rollback still goes to the one before' '
	git init -q repo3 &&
	cp repo/a.safetensors repo/b.safetensors repo3/ &&
	(cd repo3 &&
	 git patterns merge-adapters -q --adapters a.safetensors b.safetensors \
		--output one.safetensors --version-name one &&
	 git patterns merge-adapters -q --adapters a.safetensors b.safetensors --weights 1 3 \
		--output two.safetensors --version-name two &&
	 git patterns adapters activate two >/dev/null &&
	 git patterns adapters activate two >/dev/null &&
	 git patterns adapters rollback >../out) &&
	test_grep "Rolled back to adapter version one " out &&
	test_must_fail git -C repo3 patterns adapters rollback 2>err &&
	test_grep "no earlier adapter version to roll back to" err &&
	git -C repo3 patterns adapters activate one >/dev/null &&
	test_must_fail git -C repo3 patterns adapters rollback 2>err &&
	test_grep "no earlier adapter version to roll back to" err
'

test_expect_success NUMPY 'an empty version name, or one with control characters, is a usage error' '
	git -C repo patterns adapters list >before &&
	(cd repo && test_expect_code 129 git patterns merge-adapters --adapters a.safetensors \
		b.safetensors --output noname.safetensors --version-name "" 2>../err) &&
	test_grep "version name" err &&
	(cd repo && test_expect_code 129 git patterns merge-adapters --adapters a.safetensors \
		b.safetensors --output noname.safetensors --version-name "$(printf "a\nb")" 2>../err) &&
	test_grep "version name" err &&
	! test -e repo/noname.safetensors &&
	git -C repo patterns adapters list >after &&
	test_cmp before after
'

test_expect_success NUMPY 'concurrent merges to one output: each kept copy is its own merge' '
	git init -q repo4 &&
	(cd repo4 && "$PYTHON" - <<-\EOF
	import numpy as np, st
	st.write("x.safetensors", {"w": ("F32", np.ones((1000, 1000)))})
	st.write("y.safetensors", {"w": ("F32", np.zeros((1000, 1000)))})
	EOF
	) &&
	for round in 1 2 3 4
	do
		for i in 1 2 3
		do
			(cd repo4 && git patterns merge-adapters -q --adapters x.safetensors y.safetensors \
				--weights $i 1 --output team.safetensors --version-name r$round-$i) &
		done
		wait
	done &&
	git -C repo4 patterns adapters list --json >list.json &&
	"$PYTHON" - <<-\EOF
	import json, st
	versions = json.load(open("list.json"))["versions"]
	assert len(versions) == 12, len(versions)
	for v in versions:
	    t, _, meta, _ = st.read(v["copy"] + "/adapter_model.safetensors")
	    assert json.loads(meta["merge_weights"]) == v["weights"], (v["version_name"], meta)
	    assert abs(t["w"][0, 0] - v["weights"][0]) < 1e-6, v["version_name"]
	EOF
'

test_done
