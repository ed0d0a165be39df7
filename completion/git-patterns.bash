# bash completion for git-patterns                         -*- shell-script -*-
#
# git's own completion calls _git_patterns for "git patterns <TAB>"; with
# bash-completion it loads this file by itself when it is installed as
# share/bash-completion/completions/git-patterns (make install does that).
# Without bash-completion, source it after git's completion script:
#
#   . /usr/share/bash-completion/completions/git
#   . /path/to/git-patterns.bash
#
# Commands come from "git patterns -h" and each command's options from
# "git patterns <command> --git-completion-helper", so the completion
# always matches the installed binary; both are asked once per shell.

__git_patterns_cmds=
__git_patterns_problem_types="bug_fix feature_addition refactoring optimization security testing documentation unknown"

# The commands of git-patterns, one per word.
__git_patterns_commands ()
{
	if [ -z "$__git_patterns_cmds" ]; then
		__git_patterns_cmds=$(__git patterns -h |
			sed -n -e 's/^   \([a-z][a-z0-9-]*\)  .*/\1/p')
	fi
	echo "$__git_patterns_cmds"
}

# The long options of "git patterns <command> [<subcommand>]".
__git_patterns_options ()
{
	local key="__git_patterns_opts_${1//-/_}_${2//-/_}"
	if [ -z "${!key+set}" ]; then
		printf -v "$key" '%s' "$(__git patterns "$@" --git-completion-helper)"
	fi
	echo "${!key}"
}

# Subcommands of the commands that have them, from their usage lines
# ("usage: git patterns hook install ...", "   or: git patterns hook run ...").
__git_patterns_subcommands ()
{
	local key="__git_patterns_subs_${1//-/_}"
	if [ -z "${!key+set}" ]; then
		printf -v "$key" '%s' "$(__git patterns "$1" -h 2>&1 | sed -n \
			-e "s/^usage: git patterns $1 \([a-z][a-z-]*\).*/\1/p" \
			-e "s/^   or: git patterns $1 \([a-z][a-z-]*\).*/\1/p" | sort -u)"
	fi
	echo ${!key}
}

# Pattern ids of the store, newest first (for show, feedback, apply).
__git_patterns_ids ()
{
	__git patterns list --limit 1000 | sed -n -e 's/^\([0-9a-f]\{16\}\) .*/\1/p'
}

_git_patterns ()
{
	local cmds command subcommands subcommand="" idx
	cmds=$(__git_patterns_commands)
	command=$(__git_find_on_cmdline --show-idx "$cmds")
	if [ -z "$command" ]; then
		case "$cur" in
		--*)	__gitcomp "--version --help --no-pager" ;;
		*)	__gitcomp "$cmds" ;;
		esac
		return
	fi
	idx=${command% *}
	command=${command#* }

	subcommands=$(__git_patterns_subcommands "$command")
	if [ -n "$subcommands" ]; then
		local c=$((idx + 1))
		while [ $c -lt $cword ]; do
			case " $subcommands " in
			*" ${words[c]} "*)	subcommand=${words[c]}; break ;;
			esac
			((c++))
		done
		if [ -z "$subcommand" ]; then
			case "$cur" in
			--*)	__gitcomp "$(__git_patterns_options "$command")" ;;
			*)	__gitcomp "$subcommands" ;;
			esac
			return
		fi
	fi

	# values of options, "--opt=<TAB>" and "--opt <TAB>"
	local opt="" val="$cur"
	case "$cur" in
	--*=*)	opt=${cur%%=*}; val=${cur#*=} ;;
	*)	case "$prev" in --*) opt=$prev ;; esac ;;
	esac
	case "$opt" in
	--type)		__gitcomp "$__git_patterns_problem_types" "" "$val"; return ;;
	--format)	__gitcomp "jsonl commitpack" "" "$val"; return ;;
	--origin)	__gitcomp "local team" "" "$val"; return ;;
	--role)		__gitcomp "source test docs build other" "" "$val"; return ;;
	--method)	__gitcomp "linear cat svd" "" "$val"; return ;;
	--dtype)	__gitcomp "f32 f16 bf16" "" "$val"; return ;;
	--rev)		__git_complete_revlist_file; return ;;
	--output|--repo-path|--adapters|--tls-cert|--tls-key|--file|-o)
		# file names: leave COMPREPLY empty, bash falls back to them
		return ;;
	esac

	case "$cur" in
	--*)
		__gitcomp "$(__git_patterns_options "$command" $subcommand)"
		return
		;;
	esac

	case "$command,$subcommand" in
	show,|feedback,|apply,|outcome,)
		__gitcomp_nl "$(__git_patterns_ids)"
		;;
	recall,)
		__git_complete_refs
		;;
	hook,run)
		__gitcomp "post-commit post-merge post-rewrite"
		;;
	extract,|export,)
		;;
	esac
}

# "git-patterns <TAB>" run directly: reuse git's completion machinery.
if ! declare -F __git_complete >/dev/null 2>&1 && declare -F __load_completion >/dev/null 2>&1; then
	__load_completion git >/dev/null 2>&1
fi
if declare -F __git_complete >/dev/null 2>&1; then
	__git_complete git-patterns _git_patterns
fi
