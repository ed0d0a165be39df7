# bench/lib.sh: what the benchmark scripts share. Source it once WORK is
# the script's temporary folder.

# store_set_aside REPO: STORE is REPO's pattern store. It is moved into
# $WORK while the benchmark makes stores of its own, and on exit put back
# as it was (or removed, if REPO had none), with $WORK removed.
store_set_aside() {
	STORE=$(git -C "$1" rev-parse --git-common-dir)
	case $STORE in /*) ;; *) STORE=$1/$STORE ;; esac
	STORE=$STORE/patterns
	trap 'rm -rf "$STORE"; test ! -e "$WORK/saved-store" || mv "$WORK/saved-store" "$STORE"; rm -rf "$WORK"' EXIT
	test ! -e "$STORE" || mv "$STORE" "$WORK/saved-store"
}
