/*
 * tap.h: a tiny TAP producer for the C unit tests.
 *
 *   ok(cond, "what")             one test
 *   is_str(got, want, "what")    compares strings, shows both on failure
 *   is_num(got, want, "what")    compares doubles exactly
 *   return done_testing();
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static int tap_ok(int cond, const char *what)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, what);
	return cond;
}
#define ok(cond, what) tap_ok(!!(cond), what)

static int is_str(const char *got, const char *want, const char *what)
{
	int same = got && want ? !strcmp(got, want) : got == want;
	if (!tap_ok(same, what))
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

static int is_num(double got, double want, const char *what)
{
	int same = got == want;
	if (!tap_ok(same, what))
		printf("#   got:  %.17g\n#   want: %.17g\n", got, want);
	return same;
}

static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# failed %d of %d\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
