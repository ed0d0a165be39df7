/*
 * file-role: what a file is to a change, and whether it is vendored,
 * from its path alone (SPEC §4).
 *
 * file_role() is one of "source", "test", "docs", "build" (manifests,
 * lock files, build scripts and CI configuration) or "other" (data,
 * configuration, files we cannot name). The rules, first match wins:
 * build and CI files, then documentation names, folders and prose
 * languages (Markdown, reStructuredText, plain text, man pages), then test
 * folders and test file names (for a file with a language: test data of
 * no known language, such as a .conf fixture, is "other"), then any file
 * with a programming or markup language; the rest is "other". Returned strings are static.
 *
 * path_is_vendored() follows GitHub linguist's default vendor paths
 * (our own list, see file-role.c): third-party folders (vendor/,
 * third_party/, node_modules/, a top-level deps/, ...), minified files
 * and the wrappers and autotools scripts that projects copy in.
 */
#ifndef FILE_ROLE_H
#define FILE_ROLE_H

#define FILE_ROLE_SOURCE "source"
#define FILE_ROLE_TEST "test"
#define FILE_ROLE_DOCS "docs"
#define FILE_ROLE_BUILD "build"
#define FILE_ROLE_OTHER "other"

/*
 * The role of path; language is the file's language as detected (NULL:
 * from the path alone).
 */
const char *file_role(const char *path, const char *language);

/* 1 if name is one of the five roles. */
int file_role_valid(const char *name);

/* 1 if path is vendored code, as linguist's defaults say. */
int path_is_vendored(const char *path);

/*
 * 1 if a commit message body carries the trailer git subtree writes on
 * the commits it makes for a vendored folder ("git-subtree-dir: deps/x"):
 * their paths are relative to that folder, so no path rule tells them.
 */
int body_is_subtree_commit(const char *body);

#endif
