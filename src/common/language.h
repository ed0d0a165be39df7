/*
 * language: a file's programming language, lower case, from its name
 * (extension, or well-known names such as Makefile and Dockerfile), and
 * for extensionless files from a shebang line ("#!/usr/bin/env python3").
 * "" when unknown. Returned strings are static.
 */
#ifndef LANGUAGE_H
#define LANGUAGE_H

#include <stddef.h>

/* From the path alone; "" if the name says nothing. */
const char *language_from_path(const char *path);
/*
 * From the path, falling back to the shebang in content (may be NULL) for
 * names without an extension.
 */
const char *language_detect(const char *path, const char *content, size_t len);
/* 1 if language_detect() would look at the content of path. */
int language_wants_content(const char *path);
/*
 * The name GitHub linguist writes for our language id lang ("cpp" ->
 * "C++"), as CommitPack records carry it: one for every id here; lang
 * itself for an id it does not know.
 */
const char *language_linguist_name(const char *lang);
/* 1 if the lookup tables are in the order bsearch needs (for the unit test). */
int language_tables_sorted(void);

#endif
