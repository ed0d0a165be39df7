#!/bin/sh
test_description='bash and zsh completion of git patterns'
. ./lib.sh

GIT_COMPLETION=/usr/share/bash-completion/completions/git
test -r "$GIT_COMPLETION" && command -v bash >/dev/null && test_set_prereq BASH_COMPLETION
command -v zsh >/dev/null && test -r /usr/share/zsh/functions/Completion/Unix/_git &&
	test_set_prereq ZSH

# complete 'LINE': what bash offers for LINE (the cursor at its end), one
# per line, through git's completion as a shell would run it
complete() {
	bash -c '
		. "$1" && . "$2" || exit 1
		line=$3
		read -r -a COMP_WORDS <<<"$line"
		case "$line" in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		if test "${COMP_WORDS[0]}" = git-patterns; then
			__git_wrap_git_patterns
		else
			__git_wrap__git_main
		fi
		printf "%s\n" "${COMPREPLY[@]}"
	' - "$GIT_COMPLETION" "$SRC_ROOT/completion/git-patterns.bash" "$1" |
	sed -e "s/ *$//" | sort
}

test_expect_success BASH_COMPLETION 'setup' '
	git init -q repo && cd repo &&
	test_commit "fix: repair the parser" parse.c "int parse;" &&
	test_commit "feat: add a lexer" lex.c "int lex;" &&
	git patterns extract --quiet
'

test_expect_success BASH_COMPLETION 'git patterns <TAB> offers every command' '
	git patterns -h | sed -n "s/^   \([a-z-]*\) .*/\1/p" | sort >expect &&
	test_line_count -ge 6 expect &&
	(cd repo && complete "git patterns ") >actual &&
	test_cmp expect actual
'

test_expect_success BASH_COMPLETION 'a command name is completed from its start' '
	(cd repo && complete "git patterns ho") >actual &&
	echo hook >expect &&
	test_cmp expect actual
'

test_expect_success BASH_COMPLETION 'options come from the command itself' '
	(cd repo && complete "git patterns export --") >actual &&
	test_grep "^--type=$" actual &&
	test_grep "^--min-confidence=$" actual &&
	test_grep "^--include-unknown$" actual &&
	(cd repo && complete "git patterns hook status --") >actual &&
	echo --json >expect &&
	test_cmp expect actual
'

test_expect_success BASH_COMPLETION 'option values: --type=, --format= and --role=' '
	(cd repo && complete "git patterns export --type=bu") >actual &&
	echo bug_fix >expect &&
	test_cmp expect actual &&
	(cd repo && complete "git patterns export --format=c") >actual &&
	echo commitpack >expect &&
	test_cmp expect actual &&
	(cd repo && complete "git patterns list --role=t") >actual &&
	echo test >expect &&
	test_cmp expect actual
'

test_expect_success BASH_COMPLETION 'hook subcommands and hook names' '
	(cd repo && complete "git patterns hook ") >actual &&
	printf "%s\n" install run status uninstall >expect &&
	test_cmp expect actual &&
	(cd repo && complete "git patterns hook run post-m") >actual &&
	echo post-merge >expect &&
	test_cmp expect actual
'

test_expect_success BASH_COMPLETION 'subcommands come from the usage lines of each command' '
	for cmd in adapters server; do
		git patterns $cmd -h 2>&1 | sed -n \
			-e "s/^usage: git patterns $cmd \([a-z][a-z-]*\).*/\1/p" \
			-e "s/^   or: git patterns $cmd \([a-z][a-z-]*\).*/\1/p" | sort -u >expect &&
		test_line_count -ge 3 expect &&
		(cd repo && complete "git patterns $cmd ") >actual &&
		test_cmp expect actual || return 1
	done &&
	(cd repo && complete "git patterns adapters p") >actual &&
	printf "%s\n" pull push >expect && test_cmp expect actual &&
	(cd repo && complete "git patterns adapters m") >actual &&
	echo merge >expect && test_cmp expect actual &&
	(cd repo && complete "git patterns adapters merge --success") >actual &&
	echo "--success-rates" >expect && test_cmp expect actual &&
	(cd repo && complete "git patterns adapters activate --rem") >actual &&
	echo "--remote=" >expect && test_cmp expect actual
'

test_expect_success BASH_COMPLETION 'show completes the pattern ids of the store' '
	(cd repo && git patterns list --limit 100 | cut -d" " -f1 | sort) >expect &&
	test_line_count = 2 expect &&
	(cd repo && complete "git patterns show ") >actual &&
	test_cmp expect actual &&
	prefix=$(head -c 3 expect) &&
	(cd repo && complete "git patterns show $prefix") >actual &&
	grep "^$prefix" expect >expect.prefix &&
	test_cmp expect.prefix actual
'

test_expect_success BASH_COMPLETION 'git-patterns run directly completes the same' '
	(cd repo && complete "git-patterns ho") >actual &&
	echo hook >expect &&
	test_cmp expect actual
'

# zcomplete 'LINE': what an interactive zsh lists for LINE<TAB> (through
# zsh's own _git, which calls our _git-patterns), one entry per line
zcomplete() {
	cat >"$TRASH/zcomp.zsh" <<-\EOF
	zmodload zsh/zpty
	zpty z zsh -f -i
	zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; unsetopt beep; LISTMAX=10000; echo READY"
	zpty -r z line '*READY*'
	zpty -w -n z "$2"$'\t'
	out= n=0
	while (( n < 30 )); do
		while zpty -r -t z chunk; do out+=$chunk; done
		[[ $out == *' -- '* ]] && break
		sleep 0.1; (( n++ ))
	done
	sleep 0.3
	while zpty -r -t z chunk; do out+=$chunk; done
	print -r -- "$out"
	zpty -d z
	EOF
	zsh -f "$TRASH/zcomp.zsh" "$SRC_ROOT/completion" "$1" | tr "\r" "\n" |
	sed -n -e "s/\x1b\[[0-9;?]*[a-zA-Z]//g" -e "s/^\([a-z0-9_-]*\) *-- .*/\1/p" | sort -u
}

test_expect_success ZSH 'zsh: git patterns <TAB> offers every command' '
	git patterns -h | sed -n "s/^   \([a-z-]*\) .*/\1/p" | sort >expect &&
	(cd repo && zcomplete "git patterns ") >actual &&
	test_cmp expect actual
'

test_expect_success ZSH 'zsh: hook subcommands and pattern ids for show' '
	(cd repo && zcomplete "git patterns hook ") >actual &&
	printf "%s\n" install run status uninstall >expect &&
	test_cmp expect actual &&
	(cd repo && git patterns list --limit 100 | cut -d" " -f1 | sort) >expect &&
	(cd repo && zcomplete "git patterns show ") >actual &&
	test_cmp expect actual
'

test_done
