#!/bin/sh
test_description='git patterns list: through the pager as git log is, and quiet when its reader goes away'
. ./lib.sh

command -v script >/dev/null && test_set_prereq SCRIPT

# on a terminal (script(1)), with the pager's lines marked
on_tty() {
	script -qec "$1" /dev/null | tr -d "\r"
}

test_expect_success 'setup: a history of 1500 fixes, extracted' '
	git init -q -b main repo &&
	"$PYTHON" - <<-\PY | git -C repo fast-import --quiet &&
	import sys
	out = sys.stdout.buffer
	for i in range(1500):
	    out.write(b"commit refs/heads/main\n")
	    out.write(b"committer C O Mitter <c@example.com> %d +0000\n" % (1112911993 + i))
	    msg = b"Fix bug number %d in the parser\n" % i
	    out.write(b"data %d\n%s" % (len(msg), msg))
	    body = b"int f%d(void) { return %d; }\n" % (i, i)
	    out.write(b"M 100644 inline src/f%d.c\ndata %d\n%s\n" % (i, len(body), body))
	PY
	git -C repo patterns extract -q &&
	git -C repo patterns list >all &&
	test_line_count = 1500 all
'

test_expect_success 'list | head -1 prints one line and no error' '
	(cd repo && git patterns list 2>../err | head -1 >../one) &&
	test_line_count = 1 one &&
	test_must_be_empty err &&
	(cd repo && git patterns list --json 2>../err | head -c 10 >/dev/null) &&
	test_must_be_empty err &&
	(cd repo && git patterns export -o - 2>../err | head -1 >/dev/null) &&
	test_must_be_empty err
'

test_expect_success 'list | head -1 ends at once with the status of SIGPIPE, as git log does' '
	(cd repo && { git-patterns list; echo $? >../rc; } | head -1 >/dev/null) &&
	test "$(cat rc)" = 141
'

test_expect_success SCRIPT 'on a terminal, list goes through GIT_PAGER' '
	on_tty "cd repo && GIT_PAGER=\"sed s/^/PAGED:/\" git patterns list -n 2" >out &&
	test_line_count = 2 out &&
	test "$(grep -c "^PAGED:" out)" = 2
'

test_expect_success SCRIPT 'core.pager, then PAGER, when GIT_PAGER is not set' '
	git -C repo config core.pager "sed s/^/CORE:/" &&
	on_tty "cd repo && PAGER=\"sed s/^/ENV:/\" git patterns list -n 2" >out &&
	test "$(grep -c "^CORE:" out)" = 2 &&
	git -C repo config --unset core.pager &&
	on_tty "cd repo && PAGER=\"sed s/^/ENV:/\" git patterns list -n 2" >out &&
	test "$(grep -c "^ENV:" out)" = 2
'

test_expect_success SCRIPT 'no pager with --no-pager (ours or git'"'"'s), GIT_PAGER=cat or off a terminal' '
	on_tty "cd repo && GIT_PAGER=\"sed s/^/PAGED:/\" git --no-pager patterns list -n 2" >out &&
	test_line_count = 2 out &&
	! grep PAGED out &&
	on_tty "cd repo && GIT_PAGER=\"sed s/^/PAGED:/\" git patterns --no-pager list -n 2" >out &&
	test_line_count = 2 out &&
	! grep PAGED out &&
	on_tty "cd repo && PAGER=\"sed s/^/PAGED:/\" GIT_PAGER=cat git patterns list -n 2" >out &&
	! grep PAGED out &&
	(cd repo && GIT_PAGER="sed s/^/PAGED:/" git patterns list -n 2 >../out) &&
	test_line_count = 2 out &&
	! grep PAGED out
'

test_expect_success SCRIPT 'a pager that quits early ends list quietly' '
	on_tty "cd repo && GIT_PAGER=\"head -1\" git patterns list; echo status=\$?" >out &&
	grep -v "^status=" out >lines &&
	test_line_count = 1 lines &&
	! grep "write error" out
'

test_done
