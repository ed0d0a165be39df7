/*
 * cmd-merge-adapters.c: "git patterns merge-adapters", merge LoRA adapters
 * into one (SPEC §7) and, inside a repository, record the result as an
 * adapter version (see adapters.h). Outside a repository the output is
 * written all the same and a warning says that no version was recorded.
 */
#include "local/adapters.h"
#include "cli/builtin.h"
#include "common/json.h"
#include "fusion/merge.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "common/repo.h"
#include "fusion/safetensors.h"
#include "local/store.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/tempfile.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const merge_usage[] = {
	"git patterns merge-adapters --adapters <A> <B>... --output <out>\n"
	"                            [--weights <w>... | --success-rates <r>...]\n"
	"                            [--method linear|cat|svd] [--rank <n>]\n"
	"                            [--version-name <name>] [--dtype f32|f16|bf16]",
	NULL};

static void on_warning(void *data, const char *msg)
{
	warning("%s", msg);
}

static void on_progress(void *data, uint64_t done, uint64_t total)
{
	struct progress *p = data;
	progress_set_total(p, total >> 20);
	progress_update(p, done >> 20);
}

static int parse_dtype(const char *s)
{
	static const struct {
		const char *name;
		int dtype;
	} names[] = {{"f32", ST_F32},	   {"f16", ST_F16},	{"bf16", ST_BF16},
		     {"f64", ST_F64},	   {"float32", ST_F32}, {"float16", ST_F16},
		     {"bfloat16", ST_BF16}};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].dtype;
	return ST_DTYPE_NONE;
}

/* The safetensors file of a merge input (file, or PEFT folder). */
static char *input_file(const char *given)
{
	struct stat st;
	size_t n = strlen(given);
	if (!stat(given, &st) && S_ISDIR(st.st_mode))
		return xstrfmt("%s%sadapter_model.safetensors", given,
			       n && given[n - 1] == '/' ? "" : "/");
	return xstrdup(given);
}

/* Die with the usage for a combination of options that cannot work; the method. */
static int check_usage(const struct option *opts, const struct string_list *adapters,
		       const struct string_list *weights, const struct string_list *rates,
		       const char *output, const char *method, const char *version_name, int rank,
		       int threads)
{
	int m;

	if (!adapters->nr)
		usage_msg_opt(merge_usage, opts, "--adapters is required");
	if (!output)
		usage_msg_opt(merge_usage, opts, "--output is required");
	if (weights->nr && rates->nr)
		usage_msg_opt(merge_usage, opts,
			      "--weights and --success-rates cannot be used together");
	if (weights->nr && weights->nr != adapters->nr)
		usage_msg_opt(merge_usage, opts, "%zu weights for %zu adapters", weights->nr,
			      adapters->nr);
	if (rates->nr && rates->nr != adapters->nr)
		usage_msg_opt(merge_usage, opts, "%zu success rates for %zu adapters", rates->nr,
			      adapters->nr);
	m = merge_method_from_name(method);
	if (m < 0)
		usage_msg_opt(merge_usage, opts, "unknown method '%s' (linear, cat or svd)",
			      method);
	if (rank < 0 || (rank && m != MERGE_SVD))
		usage_msg_opt(merge_usage, opts,
			      "--rank takes a positive number and needs "
			      "--method svd");
	if (threads < 0 || threads > 64)
		usage_msg_opt(merge_usage, opts, "--threads must be between 1 and 64");
	if (version_name && !*version_name)
		usage_msg_opt(merge_usage, opts, "the version name is empty");
	if (version_name && has_control_chars(version_name, strlen(version_name)))
		usage_msg_opt(merge_usage, opts, "the version name has control characters");
	return m;
}

/*
 * Inside a repository: open its store, take its adapter lock (*lock, held
 * until the version is recorded), check that version_name is free and
 * find the version each input came from. The parents (one per input, NULL
 * for a file that is no version), or NULL outside a repository (warned:
 * nothing will be recorded).
 */
static char **open_record(git_repository **repo, struct store **store, int *lock,
			  const struct string_list *adapters, const char *version_name, int quiet)
{
	char **parents;
	int taken = 0;

	if (repo_open(repo, NULL) < 0) {
		warning("not in a git repository: the merge is written but no adapter "
			"version is recorded");
		return NULL;
	}
	if (store_open_repo(store, *repo) < 0)
		die_err();
	*lock = adapters_lock(*store, 1);
	if (*lock == -2) {
		if (!quiet)
			fprintf(stderr, "Waiting for another adapter merge, activation or rollback "
					"in this repository...\n");
		*lock = adapters_lock(*store, 0);
	}
	if (*lock < 0)
		die_err();
	if (version_name && adapters_name_taken(*store, version_name, &taken) < 0)
		die_err();
	if (taken)
		die("adapter version '%s' already exists", version_name);
	parents = xcalloc(adapters->nr, sizeof(*parents));
	for (size_t i = 0; i < adapters->nr; i++) {
		char *file = input_file(adapters->items[i]);
		parents[i] = adapters_parent_name(*store, file);
		free(file);
	}
	return parents;
}

/* Record the merge res as the new active adapter version. */
static void record_version(struct store *store, git_repository *repo,
			   const struct merge_result *res, char *const *parents,
			   const struct string_list *adapters, const char *method,
			   const char *version_name, int quiet)
{
	struct adapter_version v;
	char **pnames = xcalloc(adapters->nr, sizeof(*pnames));
	char *gemail = config_get_string(repo, "user.email", NULL);
	const char *aemail = getenv("GIT_AUTHOR_EMAIL");

	assert(parents); /* open_record found them */
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < adapters->nr; i++)
		pnames[i] = parents[i] ? parents[i] : adapters->items[i];
	v.version_name = version_name ? xstrdup(version_name) : NULL;
	v.adapter_path = xstrdup(res->output);
	v.config_path = res->config ? xstrdup(res->config) : NULL;
	v.created_by = gemail ? gemail : xstrdup(aemail ? aemail : "");
	v.parent_versions = json_string_array((const char *const *)pnames, adapters->nr);
	v.method = xstrdup(method);
	v.weights = json_number_array(res->weights, adapters->nr);
	free(pnames);
	if (adapters_record(store, &v, res->meta) < 0)
		die("the merge was written to %s but recording its version failed: %s",
		    res->output, err_msg());
	if (!quiet)
		printf("Recorded adapter version %s (%.8s), now active\n", v.version_name, v.id);
	adapter_version_release(&v);
}

int cmd_merge_adapters(int argc, const char **argv)
{
	struct string_list adapters = STRING_LIST_INIT, weights = STRING_LIST_INIT,
			   rates = STRING_LIST_INIT;
	const char *output = NULL, *method = "linear", *version_name = NULL, *dtype = NULL;
	int rank = 0, threads = 0, quiet = 0, show_progress = 1, record = 1;
	struct option opts[] = {
		OPT_STRING_MULTI(0, "adapters", &adapters, "adapter",
				 "safetensors files or PEFT adapter folders to merge"),
		OPT_STRING_MULTI(0, "weights", &weights, "w", "one weight per adapter"),
		OPT_STRING_MULTI(0, "success-rates", &rates, "r",
				 "one success rate per adapter (weights r_i / sum r)"),
		OPT_STRING('o', "output", &output, "out",
			   "the merged .safetensors file, or a folder"),
		OPT_STRING('m', "method", &method, "method", "linear (default), cat or svd"),
		OPT_INTEGER(0, "rank", &rank, "n",
			    "svd: rank to keep (default: largest input rank)"),
		OPT_STRING(0, "version-name", &version_name, "name",
			   "name of the recorded adapter version"),
		OPT_STRING(0, "dtype", &dtype, "type", "output dtype: f32, f16 or bf16"),
		OPT_INTEGER(0, "threads", &threads, "n", "threads (default: CPUs, at most 4)"),
		OPT_BOOL(0, "record", &record, "record an adapter version (default)"),
		OPT_BOOL('q', "quiet", &quiet, "no progress, no summary"),
		OPT_BOOL(0, "progress", &show_progress, "show progress (default on a terminal)"),
		OPT_END(),
	};
	struct merge_options mo;
	struct merge_result res;
	double *w = NULL, *r = NULL;
	git_repository *repo = NULL;
	struct store *store = NULL;
	char **parents = NULL;
	struct progress *progress;
	int m, ret, lock = -1;

	argc = parse_options(argc, argv, opts, merge_usage, 0);
	if (argc)
		usage_msg_opt(merge_usage, opts, "unexpected argument '%s'", argv[0]);
	m = check_usage(opts, &adapters, &weights, &rates, output, method, version_name, rank,
			threads);
	if (weights.nr)
		w = parse_option_numbers(&weights, "--weights", merge_usage, opts);
	if (rates.nr)
		r = parse_option_numbers(&rates, "--success-rates", merge_usage, opts);

	memset(&mo, 0, sizeof(mo));
	mo.adapters = (const char *const *)adapters.items;
	mo.nr = adapters.nr;
	mo.weights = w;
	mo.success_rates = r;
	mo.method = (enum merge_method)m;
	mo.output = output;
	mo.dtype = ST_DTYPE_NONE;
	mo.rank = rank;
	mo.threads = threads;
	mo.warn = on_warning;
	if (dtype) {
		mo.dtype = parse_dtype(dtype);
		if (mo.dtype == ST_DTYPE_NONE)
			usage_msg_opt(merge_usage, opts, "unknown dtype '%s' (f32, f16 or bf16)",
				      dtype);
	}
	/* check the weights before anything is opened */
	{
		double *tmp = xcalloc(adapters.nr, sizeof(double));
		if (merge_normalise_weights(w, r, adapters.nr, tmp) < 0)
			usage_msg_opt(merge_usage, opts, "%s", err_msg());
		free(tmp);
	}

	if (record)
		parents = open_record(&repo, &store, &lock, &adapters, version_name, quiet);
	record = parents != NULL;
	mo.parent_names = (const char *const *)parents;

	tempfile_remove_on_signal();
	progress = progress_start("Merging adapters", 0, "MiB", quiet || !show_progress);
	mo.progress = progress ? on_progress : NULL;
	mo.cb_data = progress;
	ret = merge_adapters(&mo, &res);
	progress_stop(progress);
	if (ret == MERGE_EUSAGE)
		usage_msg_opt(merge_usage, opts, "%s", err_msg());
	if (ret < 0)
		die_err();

	if (!quiet)
		printf("Merged %zu adapters (%s) into %s: %zu tensors, %.1f MiB\n", adapters.nr,
		       method, res.output, res.tensors, (double)res.bytes / (1 << 20));
	if (record)
		record_version(store, repo, &res, parents, &adapters, method, version_name, quiet);
	adapters_unlock(lock);
	merge_result_release(&res);
	for (size_t i = 0; parents && i < adapters.nr; i++)
		free(parents[i]);
	free(parents);
	free(w);
	free(r);
	store_close(store);
	git_repository_free(repo);
	string_list_clear(&adapters);
	string_list_clear(&weights);
	string_list_clear(&rates);
	return 0;
}
