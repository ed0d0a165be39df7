/*
 * repo: find and open the repository a command works on, and read git
 * config as git does (all scopes, through libgit2).
 *
 * A repository is found from --repo-path if given, else from the current
 * folder upwards, honouring GIT_DIR and friends (git sets them for
 * "git --git-dir=... patterns"). Bare repositories and linked worktrees work.
 */
#ifndef REPO_H
#define REPO_H

#include <git2.h>

/* Open; 0, or -1 with err_set ("not a git repository: ..."). */
int repo_open(git_repository **out, const char *repo_path);

/* err_set() from libgit2's last error, prefixed by what; returns -1. */
int git_error_set_from(const char *what);

/*
 * Config lookups (repo may be NULL: global/system only). The environment
 * override, when given, wins. Return the default when unset.
 */
char *config_get_string(git_repository *repo, const char *key, const char *env);
int config_get_bool(git_repository *repo, const char *key, const char *env, int def);
long long config_get_int(git_repository *repo, const char *key, long long def);

/*
 * 1 if repo is a partial clone (git clone --filter: a promisor remote, or
 * extensions.partialClone): objects it lacks are fetched by git when git
 * needs them, which libgit2 cannot do.
 */
int repo_is_partial_clone(git_repository *repo);

/*
 * Turn a date as git's --since takes it ("2024-01-01", "2 weeks ago") into
 * a Unix time, by asking git itself (one "git rev-parse --since" process),
 * so that dates mean exactly what they mean to git. 0 or -1 (err_set).
 */
int git_approxidate(git_repository *repo, const char *date, long long *out);

/*
 * fn for each commit reachable from push[] but not from hide[], as "git
 * rev-list <push> --not <hide>" lists them (one git process). libgit2 1.5's
 * walk is not trusted with hidden commits: it starts from the tips in the
 * order they were given rather than by date, and stops once what it has
 * left looks older than what it kept, so with commits of one committer
 * time (a rebase makes them) it lets out commits that hide reaches too.
 * 0, or what fn returned when not 0; 1 when git cannot be run (nothing
 * was reported); -1 (err_set: a tip that is not in the object store, say).
 */
int git_rev_list(git_repository *repo, const git_oid *push, size_t nr_push, const git_oid *hide,
		 size_t nr_hide, int (*fn)(const git_oid *id, void *data), void *data);

/*
 * fn(from, to) for each rename git itself finds between the trees old and
 * new ("git diff-tree -M50% -l1000", as the extraction's long runs diff;
 * max_file_size, when over 0, as their core.bigFileThreshold), so that a short run pairs
 * files exactly as a long one: libgit2's similarity is not git's, and a
 * pair one finds at 50% the other may not. 0, or what fn returned when
 * not 0; 1 when git cannot be run (nothing was reported); -1 (err_set).
 */
int git_renames(git_repository *repo, const git_oid *old, const git_oid *new,
		long long max_file_size, int (*fn)(const char *from, const char *to, void *data),
		void *data);
#endif
