/*
 * parse-options.c: the option parser shared by every command (see
 * parse-options.h). Usage output follows git's layout so that users and
 * completion scripts see what they know from git.
 */
#include "cli/parse-options.h"
#include "common/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void print_usage(FILE *out, const char *const *usagestr, const struct option *opts)
{
	fprintf(out, "usage: %s\n", usagestr[0]);
	for (size_t i = 1; usagestr[i]; i++)
		fprintf(out, "%s%s\n", *usagestr[i] ? "   or: " : "", usagestr[i]);
	fputc('\n', out);
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		struct strbuf sb = STRBUF_INIT;
		if (o->type == OPTION_GROUP) {
			fprintf(out, "\n%s\n", o->help);
			continue;
		}
		strbuf_addstr(&sb, "    ");
		if (o->short_name)
			strbuf_addf(&sb, "-%c", o->short_name);
		if (o->short_name && o->long_name)
			strbuf_addstr(&sb, ", ");
		if (o->long_name)
			strbuf_addf(&sb, "--%s", o->long_name);
		if (o->argh)
			strbuf_addf(&sb, o->type == OPTION_STRING_MULTI ? " <%s>..." : " <%s>", o->argh);
		if (sb.len >= 26) {
			fprintf(out, "%s\n%26s%s\n", sb.buf, "", o->help);
		} else {
			fprintf(out, "%-26s%s\n", sb.buf, o->help);
		}
		strbuf_release(&sb);
	}
	fputc('\n', out);
}

void usage_with_options(const char *const *usagestr, const struct option *opts)
{
	print_usage(stderr, usagestr, opts);
	exit(129);
}

void usage_msg_opt(const char *const *usagestr, const struct option *opts, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "error: %s\n\n", sb.buf);
	strbuf_release(&sb);
	usage_with_options(usagestr, opts);
}

static int takes_value(const struct option *o)
{
	return o->type == OPTION_INT || o->type == OPTION_STRING ||
	       o->type == OPTION_STRING_LIST || o->type == OPTION_STRING_MULTI;
}

/*
 * "--git-completion-helper", as git's: the long options on one line for
 * the bash completion, "--name=" for those that take a value in the same
 * word.
 */
static void print_completion_helper(const struct option *opts)
{
	const char *sep = "";
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		if (!o->long_name)
			continue;
		printf("%s--%s%s", sep, o->long_name,
		       takes_value(o) && o->type != OPTION_STRING_MULTI ? "=" : "");
		sep = " ";
	}
	putchar('\n');
}

/* An argument that looks like an option (but "-" alone and "-1.5" do not). */
static int is_option(const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return 0;
	if ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.')
		return 0;
	return 1;
}

static const char *optname(const struct option *o, int is_short)
{
	static _Thread_local char buf[128];
	if (is_short)
		snprintf(buf, sizeof(buf), "switch `%c'", o->short_name);
	else
		snprintf(buf, sizeof(buf), "option `%s'", o->long_name);
	return buf;
}

/*
 * Store value for option o; *i indexes argv and is advanced past what the
 * option consumed. Return 0, or exits with a usage error.
 */
static void set_value(const struct option *o, const char *value, int is_short, int argc,
		      const char **argv, int *i, const char *const *usagestr,
		      const struct option *opts)
{
	if (!value) {
		if (*i + 1 >= argc)
			usage_msg_opt(usagestr, opts, "%s requires a value", optname(o, is_short));
		value = argv[++*i];
	}
	switch (o->type) {
	case OPTION_INT: {
		char *end;
		long v;
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < INT_MIN || v > INT_MAX)
			usage_msg_opt(usagestr, opts, "%s expects an integer value, not '%s'",
				      optname(o, is_short), value);
		*(int *)o->value = (int)v;
		break;
	}
	case OPTION_STRING:
		*(const char **)o->value = value;
		break;
	case OPTION_STRING_LIST:
		string_list_append(o->value, value);
		break;
	case OPTION_STRING_MULTI:
		string_list_append(o->value, value);
		while (*i + 1 < argc && !is_option(argv[*i + 1]))
			string_list_append(o->value, argv[++*i]);
		break;
	default:
		break;
	}
}

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usagestr, int flags)
{
	int out = 0, i = (flags & PARSE_OPT_KEEP_ARGV0) ? 0 : 1;
	const char **rest = argv;

	if (flags & PARSE_OPT_KEEP_ARGV0)
		rest[out++] = argv[i++];

	for (; i < argc; i++) {
		const char *arg = argv[i];
		const struct option *o;

		if (!is_option(arg)) {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION) {
				while (i < argc)
					rest[out++] = argv[i++];
				break;
			}
			rest[out++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			for (i++; i < argc; i++)
				rest[out++] = argv[i];
			break;
		}
		if (!strcmp(arg, "--git-completion-helper")) {
			print_completion_helper(opts);
			exit(0);
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help-all")) {
			print_usage(stdout, usagestr, opts);
			exit(129);
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			int neg = 0;
			const struct option *found = NULL;

			for (int pass = 0; pass < 2 && !found; pass++) {
				for (o = opts; o->type != OPTION_END; o++) {
					if (!o->long_name)
						continue;
					if (strlen(o->long_name) == nlen &&
					    !strncmp(o->long_name, name, nlen)) {
						found = o;
						break;
					}
					if (pass == 1 && nlen > 3 && !strncmp(name, "no-", 3) &&
					    strlen(o->long_name) == nlen - 3 &&
					    !strncmp(o->long_name, name + 3, nlen - 3) &&
					    (o->type == OPTION_BOOL || o->type == OPTION_SET_INT)) {
						found = o;
						neg = 1;
						break;
					}
				}
			}
			if (!found)
				usage_msg_opt(usagestr, opts, "unknown option `%.*s'", (int)nlen, name);
			o = found;
			if (!takes_value(o)) {
				if (eq)
					usage_msg_opt(usagestr, opts, "%s takes no value", optname(o, 0));
				*(int *)o->value = neg ? 0 : (o->type == OPTION_BOOL ? 1 : (int)o->defval);
				continue;
			}
			set_value(o, eq ? eq + 1 : NULL, 0, argc, argv, &i, usagestr, opts);
			continue;
		}
		/* short options, possibly bundled: -qv, -j4, -j 4 */
		for (const char *p = arg + 1; *p; p++) {
			for (o = opts; o->type != OPTION_END; o++)
				if (o->short_name == *p)
					break;
			if (o->type == OPTION_END)
				usage_msg_opt(usagestr, opts, "unknown switch `%c'", *p);
			if (!takes_value(o)) {
				*(int *)o->value = o->type == OPTION_BOOL ? 1 : (int)o->defval;
				continue;
			}
			set_value(o, p[1] ? p + 1 : NULL, 1, argc, argv, &i, usagestr, opts);
			break;
		}
	}
	rest[out] = NULL;
	return out;
}

double *parse_option_numbers(const struct string_list *l, const char *opt,
			     const char *const *usagestr, const struct option *opts)
{
	double *v = xcalloc(l->nr ? l->nr : 1, sizeof(*v));
	for (size_t i = 0; i < l->nr; i++) {
		char *end;
		errno = 0;
		v[i] = strtod(l->items[i], &end);
		if (!*l->items[i] || *end || errno || !isfinite(v[i]))
			usage_msg_opt(usagestr, opts, "%s: '%s' is not a number", opt,
				      l->items[i]);
	}
	return v;
}
