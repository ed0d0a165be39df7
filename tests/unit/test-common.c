/*
 * Unit tests for the small shared helpers of common/: utc_now, uuid_valid,
 * mkdir_p (util.c) and the temporary files of tempfile.c.
 */
#include "common/tempfile.h"
#include "common/util.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void test_utc_now(void)
{
	char now[UTC_NOW_LEN];
	struct tm tm;
	time_t t = time(NULL);
	const char *end;

	utc_now(now);
	is_num((double)strlen(now), 20, "utc_now is YYYY-MM-DDTHH:MM:SSZ long");
	memset(&tm, 0, sizeof(tm));
	end = strptime(now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ok(end && !*end, "utc_now parses back as YYYY-MM-DDTHH:MM:SSZ");
	ok(end && timegm(&tm) >= t - 5 && timegm(&tm) <= t + 5, "utc_now is now, in UTC");
}

static void test_uuid_valid(void)
{
	ok(uuid_valid("123e4567-e89b-12d3-a456-426614174000"), "a UUID");
	ok(uuid_valid("123E4567-E89B-12D3-A456-426614174000"), "upper case");
	ok(!uuid_valid("123e4567e89b12d3a456426614174000"), "no dashes");
	ok(!uuid_valid("123e4567-e89b-12d3-a456-42661417400g"), "not hex");
	ok(!uuid_valid("123e4567-e89b-12d3-a456-4266141740000"), "one digit too many");
	ok(!uuid_valid("123e4567-e89b-12d3-a456-42661417400"), "one digit short");
	ok(!uuid_valid(""), "empty");
}

static void test_mkdir_p(const char *top)
{
	char *deep = xstrfmt("%s/a/b/c", top), *file = xstrfmt("%s/f", top);
	char *under_file = xstrfmt("%s/f/x", top);
	FILE *fp;

	ok(mkdir_p(deep) == 0 && is_dir(deep), "mkdir_p makes the missing parents");
	ok(mkdir_p(deep) == 0, "mkdir_p of a folder that exists");
	fp = fopen(file, "w");
	if (fp)
		fclose(fp);
	ok(mkdir_p(under_file) < 0 && strstr(err_msg(), under_file),
	   "mkdir_p under a file fails, naming the folder");
	free(deep);
	free(file);
	free(under_file);
}

static void test_tempfile(const char *top)
{
	char *path = xstrfmt("%s/out.json", top), *tmp, buf[16] = "";
	int fd;
	FILE *fp;

	ok(write_file_atomic(path, "{\"a\": 1}", 8) == 0, "write_file_atomic");
	fp = fopen(path, "r");
	ok(fp && fread(buf, 1, sizeof(buf) - 1, fp) == 8 && !strcmp(buf, "{\"a\": 1}"),
	   "write_file_atomic wrote the whole content");
	if (fp)
		fclose(fp);
	tmp = tempfile_create(path, &fd);
	ok(tmp && !access(tmp, F_OK), "tempfile_create makes a file");
	is_str(tmp ? xstrndup(tmp, strlen(path) + 5) : "", xstrfmt("%s.tmp-", path),
	       "named <path>.tmp-<random>");
	if (tmp) {
		close(fd);
		tempfile_remove_all();
		ok(access(tmp, F_OK) < 0, "tempfile_remove_all removes a registered file");
		tempfile_forget(tmp);
		free(tmp);
	}
	free(path);
}

int main(void)
{
	char top[] = "/tmp/gp-test-common.XXXXXX";

	test_utc_now();
	test_uuid_valid();
	if (!mkdtemp(top)) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_mkdir_p(top);
	test_tempfile(top);
	{
		char *cmd = xstrfmt("rm -rf '%s'", top);
		ok(system(cmd) == 0, "clean up");
		free(cmd);
	}
	return done_testing();
}
