/*
 * Unit tests for license recognition and canonical URLs (license.c), on
 * the license texts every Debian system carries in /usr/share/common-licenses.
 */
#include "common/license.h"
#include "common/strbuf.h"
#include "tap.h"

#include <stdlib.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static void file_is(const char *name, const char *want)
{
	char path[256], what[300];
	size_t len = 0;
	char *text;
	snprintf(path, sizeof(path), "/usr/share/common-licenses/%s", name);
	snprintf(what, sizeof(what), "%s is %s", path, *want ? want : "not known");
	text = slurp(path, &len);
	if (!ok(text != NULL, path))
		return;
	is_str(license_spdx(text, len), want, what);
	free(text);
}

static void text_is(const char *text, const char *want, const char *what)
{
	is_str(license_spdx(text, strlen(text)), want, what);
}

static void url_is(const char *url, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	url_canonical(&sb, url);
	is_str(sb.buf, want, url);
	strbuf_release(&sb);
}

static const char mit[] =
	"MIT License\n\nCopyright (c) 2024 Someone\n\n"
	"Permission is hereby granted, free of charge, to any person obtaining a copy\n"
	"of this software and associated documentation files (the \"Software\"), to deal\n"
	"in the Software without restriction...\n\n"
	"The above copyright notice and this permission notice shall be included in all\n"
	"copies or substantial portions of the Software.\n";

static const char isc[] =
	"Copyright (c) 2004 Someone\n\n"
	"Permission to use, copy, modify, and/or distribute this software for any\n"
	"purpose with or without fee is hereby granted, provided that the above\n"
	"copyright notice and this permission notice appear in all copies.\n";

/* redis's COPYING until 2024 */
static const char redis_bsd[] =
	"Copyright (c) 2006-2020, Salvatore Sanfilippo\nAll rights reserved.\n\n"
	"Redistribution and use in source and binary forms, with or without modification,\n"
	"are permitted provided that the following conditions are met:\n\n"
	"    * Redistributions of source code must retain the above copyright notice, ...\n"
	"    * Neither the name of Redis nor the names of its contributors may be used to\n"
	"      endorse or promote products derived from this software without specific\n";

static const char bsd2[] =
	"Redistribution and use in source and binary forms, with or without\n"
	"modification, are permitted provided that the following conditions are met:\n"
	"1. Redistributions of source code must retain the above copyright notice.\n"
	"2. Redistributions in binary form must reproduce the above copyright notice.\n";

int main(void)
{
	(void)is_num;
	file_is("Apache-2.0", "Apache-2.0");
	file_is("GPL-2", "GPL-2.0");
	file_is("GPL-3", "GPL-3.0");
	file_is("LGPL-2", "LGPL-2.0");
	file_is("LGPL-2.1", "LGPL-2.1");
	file_is("LGPL-3", "LGPL-3.0");
	file_is("MPL-2.0", "MPL-2.0");
	file_is("CC0-1.0", "CC0-1.0");
	file_is("BSD", "BSD-3-Clause");
	file_is("Artistic", "");
	text_is(mit, "MIT", "MIT");
	text_is(isc, "ISC", "ISC");
	text_is(redis_bsd, "BSD-3-Clause", "redis's BSD text");
	text_is(bsd2, "BSD-2-Clause", "two-clause BSD");
	{
		struct strbuf dual = STRBUF_INIT;
		strbuf_addstr(&dual, mit);
		strbuf_addstr(&dual, isc);
		text_is(dual.buf, "", "two licenses in one file are not one license");
		strbuf_reset(&dual);
		strbuf_addstr(&dual, "Server Side Public License\n");
		strbuf_addstr(&dual, mit);
		text_is(dual.buf, "", "a license we do not name makes the file unknown");
		strbuf_release(&dual);
	}
	text_is("All rights reserved.\n", "", "no license");

	ok(license_file_name("LICENSE"), "LICENSE is a license file");
	ok(license_file_name("COPYING"), "COPYING is a license file");
	ok(license_file_name("LICENSE.md"), "LICENSE.md is a license file");
	ok(license_file_name("licence.txt"), "licence.txt is a license file");
	ok(!license_file_name("LICENSE.c"), "LICENSE.c is not");
	ok(!license_file_name("LICENSES"), "LICENSES is not");

	url_is("git@github.com:redis/redis.git", "https://github.com/redis/redis");
	url_is("https://user:s3cret@github.com/redis/redis/", "https://github.com/redis/redis");
	url_is("https://ghp_token@GitHub.com/redis/redis.git", "https://github.com/redis/redis");
	url_is("ssh://git@gitlab.example.com:2222/team/app.git", "https://gitlab.example.com/team/app");
	url_is("https://git.example.com:8443/team/app", "https://git.example.com:8443/team/app");
	url_is("git://git.kernel.org/pub/scm/git/git.git", "https://git.kernel.org/pub/scm/git/git");
	url_is("https://example.com/x.git?token=abc#frag", "https://example.com/x");
	url_is("/srv/git/project.git", "");
	url_is("../project", "");
	url_is("file:///srv/git/project.git", "");
	url_is("", "");
	return done_testing();
}
