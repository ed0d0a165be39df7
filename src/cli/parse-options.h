/*
 * parse-options: git-style option parsing for the command front ends.
 *
 * A command declares a usage array and an option table ending in OPT_END(),
 * then calls parse_options(), which fills the values, removes what it
 * consumed and returns the count of remaining arguments (left in argv).
 *
 *   -h / --help-all     print usage to stdout, exit 129
 *   unknown option      "error: unknown option `x'", usage to stderr, exit 129
 *   --no-<name>         negates a bool; "--opt=value" and "--opt value" both work
 *   --                  ends options
 *   --git-completion-helper  print the long options for the bash completion
 *                       (as git does), exit 0
 *
 * OPT_STRING_MULTI takes every following argument up to the next option
 * ("--adapters A B C"); it may also be repeated.
 */
#ifndef PARSE_OPTIONS_H
#define PARSE_OPTIONS_H

#include "common/util.h"

enum parse_opt_type {
	OPTION_END,
	OPTION_GROUP,
	OPTION_BOOL,	/* int *, set to 1 (0 with --no-) */
	OPTION_SET_INT, /* int *, set to defval */
	OPTION_INT,	/* int * */
	OPTION_STRING,	/* const char ** */
	OPTION_STRING_LIST, /* struct string_list *, one value per use */
	OPTION_STRING_MULTI, /* struct string_list *, values up to the next option */
};

struct option {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;
	const char *help;
	long defval;
};

#define OPT_END() { OPTION_END, 0, NULL, NULL, NULL, NULL, 0 }
#define OPT_GROUP(h) { OPTION_GROUP, 0, NULL, NULL, NULL, (h), 0 }
#define OPT_BOOL(s, l, v, h) { OPTION_BOOL, (s), (l), (v), NULL, (h), 0 }
#define OPT_SET_INT(s, l, v, h, i) { OPTION_SET_INT, (s), (l), (v), NULL, (h), (i) }
#define OPT_INTEGER(s, l, v, a, h) { OPTION_INT, (s), (l), (v), (a), (h), 0 }
#define OPT_STRING(s, l, v, a, h) { OPTION_STRING, (s), (l), (v), (a), (h), 0 }
#define OPT_STRING_LIST(s, l, v, a, h) { OPTION_STRING_LIST, (s), (l), (v), (a), (h), 0 }
#define OPT_STRING_MULTI(s, l, v, a, h) { OPTION_STRING_MULTI, (s), (l), (v), (a), (h), 0 }

/* Stop at the first non-option argument (for commands with subcommands). */
#define PARSE_OPT_STOP_AT_NON_OPTION 1
/* Keep argv[0] (otherwise argv[0], the command name, is skipped). */
#define PARSE_OPT_KEEP_ARGV0 2

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usagestr, int flags);

__attribute__((noreturn)) void usage_with_options(const char *const *usagestr,
						   const struct option *opts);
/* Print "error: <msg>" then usage to stderr and exit 129. */
__attribute__((noreturn, format(printf, 3, 4))) void
usage_msg_opt(const char *const *usagestr, const struct option *opts, const char *fmt, ...);

/*
 * The values of a repeated option as numbers (finite doubles), for
 * --weights and --success-rates; a value that is not one is a usage error
 * naming the option (exits 129). The array has at least one element.
 */
double *parse_option_numbers(const struct string_list *l, const char *opt,
			     const char *const *usagestr, const struct option *opts);

#endif
