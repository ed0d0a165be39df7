#!/bin/sh
test_description='hook install, uninstall and status keep the hooks that were there'
. ./lib.sh

# A stand-in git-patterns first on PATH records what the stubs call, so
# these tests check the stubs and the install logic by themselves.
mkdir -p "$TRASH/fake"
cat >"$TRASH/fake/git-patterns" <<\FAKE
#!/bin/sh
printf '%s\n' "$*" >>"$TRASH/fake.calls"
cat >>"$TRASH/fake.stdin"
exit 1
FAKE
chmod +x "$TRASH/fake/git-patterns"
export TRASH
REAL_PATH=$PATH
FAKE_PATH="$TRASH/fake:$PATH"


state() {
	# name, mode, inode, mtime, size and checksum of each file in a folder
	(cd "$1" && for f in *; do
		test -e "$f" || continue
		printf '%s %s %s\n' "$f" "$(stat -c '%a %i %Y %s' "$f")" "$(cksum <"$f")"
	done)
}

test_expect_success 'install puts the three stubs in the hooks folder' '
	git init -q repo &&
	git -C repo patterns hook install >out &&
	for h in post-commit post-merge post-rewrite; do
		test -x repo/.git/hooks/$h &&
		test_cmp "$SRC_ROOT/hooks/$h" repo/.git/hooks/$h || return 1
	done &&
	test_grep "^post-commit: installed in .*/repo/.git/hooks$" out
'

test_expect_success 'installing twice changes nothing' '
	state repo/.git/hooks >before &&
	sleep 1 &&
	git -C repo patterns hook install >out &&
	state repo/.git/hooks >after &&
	test_cmp before after &&
	test_grep "^post-merge: already installed" out
'

test_expect_success 'status says what is installed where' '
	git -C repo patterns hook status >out &&
	cat >expect <<-EOF2 &&
	hooks folder: $TRASH/repo/.git/hooks
	post-commit   installed
	post-merge    installed
	post-rewrite  installed
	EOF2
	test_cmp expect out &&
	git -C repo patterns hook status --json >json &&
	test "$(json_get json "d[\"hooks\"][2][\"state\"]")" = installed &&
	test "$(json_get json "d[\"enabled\"]")" = True
'

test_expect_success 'uninstall removes them all' '
	git -C repo patterns hook uninstall >out &&
	! test -e repo/.git/hooks/post-commit &&
	! test -e repo/.git/hooks/post-merge &&
	! test -e repo/.git/hooks/post-rewrite &&
	test_grep "^post-rewrite: removed$" out &&
	git -C repo patterns hook uninstall >out &&
	test_grep "^post-commit: not installed$" out
'

test_expect_success 'an existing post-commit keeps running and comes back byte-identical' '
	git init -q keep &&
	# no final newline, an odd mode: both must come back as they were
	printf "#!/bin/sh\n# the team hook\necho \"ran \$# \$*\" >>\"\$(git rev-parse --show-toplevel)/hook-ran\"" \
		>keep/.git/hooks/post-commit &&
	chmod 750 keep/.git/hooks/post-commit &&
	cp -p keep/.git/hooks/post-commit orig-hook &&
	stat -c %a keep/.git/hooks/post-commit >orig-mode &&
	git -C keep patterns hook install >out &&
	test_grep "kept as post-commit.pre-patterns and runs first" out &&
	test_cmp orig-hook keep/.git/hooks/post-commit.pre-patterns &&
	(cd keep && PATH=$FAKE_PATH && test_commit one) &&
	echo "ran 0 " >expect &&
	test_cmp expect keep/hook-ran &&
	wait_until "grep -x \"hook run --head $(git -C keep rev-parse HEAD) post-commit\" fake.calls" &&
	git -C keep patterns hook status >out &&
	test_grep "^post-commit   installed; post-commit.pre-patterns runs first$" out &&
	git -C keep patterns hook uninstall >out &&
	test_grep "^post-commit: removed; the hook that was there before is back$" out &&
	cmp orig-hook keep/.git/hooks/post-commit &&
	stat -c %a keep/.git/hooks/post-commit >mode &&
	test_cmp orig-mode mode &&
	! test -e keep/.git/hooks/post-commit.pre-patterns
'

test_expect_success 'post-rewrite: the kept hook and ours get the same arguments and input' '
	git init -q rw &&
	cat >rw/.git/hooks/post-rewrite <<-\EOF2 &&
	#!/bin/sh
	echo "args: $*" >"$TRASH/prev.args"
	cat >"$TRASH/prev.stdin"
	EOF2
	chmod +x rw/.git/hooks/post-rewrite &&
	git -C rw patterns hook install &&
	(cd rw && test_commit one && test_tick &&
	 old=$(git rev-parse HEAD) &&
	 PATH=$FAKE_PATH git commit -q --amend -m amended &&
	 echo "$old $(git rev-parse HEAD)" >"$TRASH/expect.stdin") &&
	echo "args: amend" >expect.args &&
	test_cmp expect.args prev.args &&
	test_cmp expect.stdin prev.stdin &&
	wait_until "grep -x \"hook run post-rewrite amend\" fake.calls" &&
	wait_until "cmp expect.stdin fake.stdin" &&
	test_cmp expect.stdin fake.stdin
'

test_expect_success 'the stub never fails git, even when git-patterns fails' '
	: >fake.calls &&
	(cd rw && PATH=$FAKE_PATH && test_commit two 2>err && ! test -s err) &&
	wait_until "grep \"^hook run --head [0-9a-f]* post-commit\$\" fake.calls"
'

# git runs post-commit for each commit a rebase picks; post-rewrite names
# them all at its end, so the stubs leave them to it.
test_expect_success 'a rebase leaves its commits to post-rewrite: no job per picked commit' '
	git init -q rb && git -C rb patterns hook install && : >fake.calls &&
	(cd rb && PATH=$FAKE_PATH &&
	 test_commit base && git checkout -q -b topic &&
	 test_commit t1 && test_commit t2 && test_commit t3 &&
	 git checkout -q main) &&
	(cd rb && PATH=$FAKE_PATH && test_commit other) &&
	wait_until "grep -c \"post-commit\" fake.calls | grep -qx 5" &&
	: >fake.calls &&
	(cd rb && PATH=$FAKE_PATH && git checkout -q topic && test_tick &&
	 git rebase -q --onto main HEAD~3 2>err && ! test -s err) &&
	wait_until "grep -q \"^hook run post-rewrite rebase\" fake.calls" &&
	sleep 1 &&
	! grep "post-commit" fake.calls
'

test_expect_success 'GIT_PATTERNS_HOOK=0: ours does nothing, the kept hook still runs' '
	: >fake.calls && rm -f keep/hook-ran &&
	git -C keep patterns hook install &&
	(cd keep && PATH=$FAKE_PATH GIT_PATTERNS_HOOK=0 && export GIT_PATTERNS_HOOK &&
	 test_commit two) &&
	test -s keep/hook-ran &&
	! test -s fake.calls &&
	: >prev.stdin &&
	(cd rw && PATH=$FAKE_PATH GIT_PATTERNS_HOOK=false git commit -q --amend -m again) &&
	test -s prev.stdin &&
	! test -s fake.calls
'

test_expect_success 'no git-patterns on PATH: the stubs do nothing and say nothing' '
	rm -f keep/hook-ran &&
	mkdir -p bare-path &&
	for t in git sh cat printf rm sed; do ln -sf "$(command -v $t)" bare-path/$t || return 1; done &&
	(cd keep && echo 3 >three.t && git add three.t &&
	 PATH="$TRASH/bare-path" git commit -q -m three 2>err && ! test -s err) &&
	test -s keep/hook-ran
'

test_expect_success 'patterns.hook=false: hook run does nothing at all' '
	git init -q off && git -C off config patterns.hook false &&
	git -C off patterns hook install 2>err &&
	test_grep "turns them off" err &&
	(cd off && test_commit one) &&
	! test -e off/.git/patterns &&
	git -C off patterns hook status >out &&
	test_grep "turned off by patterns.hook" out
'

test_expect_success 'core.hooksPath: a relative folder, as git resolves it' '
	git init -q hp && mkdir hp/sub &&
	git -C hp config core.hooksPath my-hooks &&
	(cd hp/sub && git patterns hook install) &&
	test -x hp/my-hooks/post-commit &&
	! test -e hp/.git/hooks/post-commit &&
	(cd hp && PATH=$FAKE_PATH && : >"$TRASH/fake.calls" && test_commit one) &&
	wait_until "grep \"^hook run --head [0-9a-f]* post-commit\$\" fake.calls" &&
	git -C hp patterns hook status >out &&
	test_grep "^hooks folder: $TRASH/hp/my-hooks$" out
'

test_expect_success 'core.hooksPath: an absolute folder with a hook already there' '
	git init -q abs && mkdir shared-hooks &&
	printf "#!/bin/sh\necho merged >>\"$TRASH/abs.merged\"\n" >shared-hooks/post-merge &&
	chmod +x shared-hooks/post-merge && cp -p shared-hooks/post-merge orig-merge &&
	git -C abs config core.hooksPath "$TRASH/shared-hooks" &&
	test "$(git -C abs rev-parse --git-path hooks)" = "$TRASH/shared-hooks" &&
	git -C abs patterns hook install &&
	test -e shared-hooks/post-merge.pre-patterns &&
	(cd abs && test_commit one && git checkout -q -b side && test_commit two &&
	 git checkout -q main && PATH=$FAKE_PATH git merge -q side) &&
	test -s abs.merged &&
	head=$(git -C abs rev-parse HEAD) && orig=$(git -C abs rev-parse ORIG_HEAD) &&
	wait_until "grep -x \"hook run --head $head --orig-head $orig post-merge 0\" fake.calls" &&
	git -C abs patterns hook uninstall &&
	cmp orig-merge shared-hooks/post-merge
'

# A hook manager's stubs (husky's layout: core.hooksPath .husky/_, each hook
# a two-line script that reads .husky/_/h, which finds the user's script by
# the basename and folder of "$0"): they run as git runs them, with $0
# naming the hook, not the .pre-patterns file they were moved to.
test_expect_success 'a hook manager that finds its scripts by $0 keeps working (husky)' '
	git init -q hm && mkdir -p hm/.husky/_ &&
	cat >hm/.husky/_/h <<-\EOF2 &&
	#!/usr/bin/env sh
	n=$(basename "$0")
	s=$(dirname "$(dirname "$0")")/$n
	[ -f "$s" ] || exit 0
	sh -e "$s" "$@"
	EOF2
	for h in post-commit post-rewrite; do
		printf "#!/usr/bin/env sh\n. \"\$(dirname \"\$0\")/h\"\n" >hm/.husky/_/$h &&
		chmod +x hm/.husky/_/$h || return 1
	done &&
	echo "echo \"commit \$*\" >>\"$TRASH/hm.ran\"" >hm/.husky/post-commit &&
	echo "echo \"rewrite \$* \$(cat)\" >>\"$TRASH/hm.ran\"" >hm/.husky/post-rewrite &&
	git -C hm config core.hooksPath .husky/_ &&
	git -C hm patterns hook install &&
	test -e hm/.husky/_/post-commit.pre-patterns &&
	(cd hm && PATH=$FAKE_PATH && test_commit one && old=$(git rev-parse HEAD) &&
	 git commit -q --amend -m amended && echo "$old $(git rev-parse HEAD)" >"$TRASH/hm.pair") &&
	printf "commit \ncommit \nrewrite amend %s\n" "$(cat hm.pair)" >expect &&
	test_cmp expect hm.ran
'

# husky 5 to 8: each hook reads .husky/_/husky.sh, which runs "sh -e $0"
# again once; $0 is then our stub, which must give that run the kept hook
# alone, not start our work twice.
test_expect_success 'a hook manager that runs $0 again (husky 5 to 8) gets one job per commit' '
	git init -q h8 && mkdir -p h8/.husky/_ &&
	cat >h8/.husky/_/husky.sh <<-\EOF2 &&
	#!/usr/bin/env sh
	if [ -z "$husky_skip_init" ]; then
	  husky_skip_init=1
	  export husky_skip_init
	  sh -e "$0" "$@"
	  exit $?
	fi
	EOF2
	printf "#!/usr/bin/env sh\n. \"\$(dirname -- \"\$0\")/_/husky.sh\"\necho ran >>\"$TRASH/h8.ran\"\n" \
		>h8/.husky/post-commit &&
	chmod +x h8/.husky/post-commit &&
	git -C h8 config core.hooksPath .husky &&
	git -C h8 patterns hook install >/dev/null && : >fake.calls &&
	(cd h8 && PATH=$FAKE_PATH && test_commit one) &&
	wait_until "grep -q post-commit fake.calls" && sleep 1 &&
	test "$(grep -c post-commit fake.calls)" = 1 &&
	echo ran >expect && test_cmp expect h8.ran
'

test_expect_success 'a kept sh hook with options on its #! line, or a symbolic link, runs as it is' '
	git init -q opt &&
	printf "#!/bin/sh -e\nfalse\necho after false >>\"$TRASH/opt.ran\"\n" >opt/.git/hooks/post-commit &&
	chmod +x opt/.git/hooks/post-commit &&
	mkdir -p tools && printf "echo common >>\"$TRASH/link.ran\"\n" >tools/common.sh &&
	printf "#!/bin/sh\n. \"\$(dirname \"\$(readlink -f \"\$0\")\")/common.sh\"\n" >tools/post-merge &&
	chmod +x tools/post-merge && ln -s "$TRASH/tools/post-merge" opt/.git/hooks/post-merge &&
	git -C opt patterns hook install >/dev/null &&
	test -h opt/.git/hooks/post-merge.pre-patterns &&
	(cd opt && PATH=$FAKE_PATH && test_commit one && git checkout -q -b side &&
	 test_commit two && git checkout -q main && git merge -q side) &&
	! test -e opt.ran &&
	echo common >expect && test_cmp expect link.ran
'

test_expect_success 'a kept hook that is no shell script runs as it is, with its arguments' '
	git init -q py &&
	printf "#!%s\nimport sys\nopen(\"%s/py.ran\", \"a\").write(\" \".join(sys.argv[1:]) + \"\\\\n\")\n" \
		"$PYTHON" "$TRASH" >py/.git/hooks/post-rewrite &&
	chmod +x py/.git/hooks/post-rewrite &&
	git -C py patterns hook install &&
	(cd py && PATH=$FAKE_PATH && test_commit one && git commit -q --amend -m amended) &&
	echo amend >expect &&
	test_cmp expect py.ran
'

test_expect_success 'a linked worktree installs into the shared hooks folder' '
	git init -q wt && (cd wt && test_commit one) &&
	git -C wt worktree add -q ../wt2 &&
	(cd wt2 && git patterns hook install >"$TRASH/out") &&
	test_grep "installed in $TRASH/wt/.git/hooks$" out &&
	test -x wt/.git/hooks/post-commit
'

test_expect_success 'a foreign hook and a saved one both there: refuse, change nothing' '
	git init -q clash &&
	echo "#!/bin/sh" >clash/.git/hooks/post-commit &&
	echo "#!/bin/sh" >clash/.git/hooks/post-commit.pre-patterns &&
	state clash/.git/hooks >before &&
	test_expect_code 1 git -C clash patterns hook install 2>err &&
	test_grep "already exists" err &&
	state clash/.git/hooks | grep post-commit >after &&
	grep post-commit before >before.pc &&
	test_cmp before.pc after
'

test_expect_success 'a saved hook left behind is chained again only with --force' '
	git init -q left &&
	echo "#!/bin/sh" >left/.git/hooks/post-commit.pre-patterns &&
	test_expect_code 1 git -C left patterns hook install 2>err &&
	test_grep "left from an earlier installation" err &&
	git -C left patterns hook install --force &&
	test_cmp "$SRC_ROOT/hooks/post-commit" left/.git/hooks/post-commit &&
	test -e left/.git/hooks/post-commit.pre-patterns
'

test_expect_success 'an outdated stub is updated; a foreign hook is never removed by uninstall' '
	git init -q old && git -C old patterns hook install &&
	cp "$TEST_SRC/hook-stubs/post-commit.outdated" old/.git/hooks/post-commit &&
	git -C old patterns hook status >out &&
	test_grep "^post-commit   installed, from another version" out &&
	git -C old patterns hook install >out &&
	test_grep "^post-commit: installed in" out &&
	test_cmp "$SRC_ROOT/hooks/post-commit" old/.git/hooks/post-commit &&
	git -C old patterns hook uninstall &&
	echo "#!/bin/sh" >old/.git/hooks/post-merge &&
	git -C old patterns hook uninstall >out &&
	test_grep "^post-merge: not ours, left alone$" out &&
	test -e old/.git/hooks/post-merge
'

# hooks/shipped.sha256 lists every stub we shipped: one that is none of
# them was edited by its user, whose lines are not thrown away.
test_expect_success 'a stub its user edited is replaced only with --force, and never removed' '
	git init -q edited && git -C edited patterns hook install >/dev/null &&
	echo "echo mine >>\"\$HOME/mine.log\"" >>edited/.git/hooks/post-commit &&
	cp edited/.git/hooks/post-commit mine &&
	git -C edited patterns hook status >out &&
	test_grep "^post-commit   installed, with changes of yours" out &&
	git -C edited patterns hook status --json >out.json &&
	test "$(json_get out.json "[h[\"state\"] for h in d[\"hooks\"] if h[\"name\"] == \"post-commit\"][0]")" = edited &&
	test_expect_code 1 git -C edited patterns hook install 2>err &&
	test_grep "post-commit. is our stub with changes of its user; use --force" err &&
	test_cmp mine edited/.git/hooks/post-commit &&
	git -C edited patterns hook uninstall >out &&
	test_grep "^post-commit: our stub with changes of yours, left alone" out &&
	test_cmp mine edited/.git/hooks/post-commit &&
	! test -e edited/.git/hooks/post-merge &&
	git -C edited patterns hook install --force >out &&
	test_cmp "$SRC_ROOT/hooks/post-commit" edited/.git/hooks/post-commit
'

test_expect_success 'every stub this version installs is listed as shipped' '
	for h in post-commit post-merge post-rewrite; do
		sum=$(sha256sum <"$SRC_ROOT/hooks/$h" | cut -c1-64) &&
		grep -x "$sum $h" "$SRC_ROOT/hooks/shipped.sha256" || return 1
	done
'

test_expect_success 'hook usage errors exit 129' '
	test_expect_code 129 git -C repo patterns hook frob 2>err &&
	test_grep "unknown subcommand" err &&
	test_expect_code 129 git -C repo patterns hook run nope 2>err &&
	test_grep "unknown hook" err &&
	test_expect_code 129 git -C repo patterns hook install extra
'

test_done
