/*
 * merge.c: the weight-fusion engine (see merge.h for the methods).
 *
 * A merge is planned first: inputs are resolved (file or PEFT folder),
 * validated (st_open) and checked against the output (never the same
 * file, by device and inode); every output tensor gets its dtype, shape
 * and sources; the header is written. Then the data is produced in the
 * order of the file:
 *  - LoRA pairs (cat, svd) one module at a time, in f64, on this thread;
 *  - all other tensors streamed: the tensors are cut into chunks of
 *    CHUNK elements, a few threads take chunks in order, accumulate
 *    sum(w_i * t_i) in f32 (f64), convert and pwrite() the chunk at its
 *    place in the output, then drop the input pages they used from the
 *    process (st_release) so the resident set stays a few MiB.
 * The output is a temporary file until everything succeeded; then it is
 * synced and renamed, and adapter_config.json and <OUT>.meta.json are
 * written beside it (atomically too). A config beside a file output that
 * may describe another adapter there is never replaced: the merge is
 * refused before any work. Each input without a config is warned about
 * once; meta.json names the inputs as given.
 */
#include "fusion/merge.h"
#include "fusion/fp16.h"
#include "common/json.h"
#include "fusion/safetensors.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/tempfile.h"

#include <dirent.h>
#include <errno.h>
#include <lapacke.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 18)		  /* elements per streamed chunk */
#define FLUSH_EVERY ((uint64_t)256 << 20) /* start writeback every 256 MiB */
#define MAX_CONFIG (1 << 20)
#define MAX_PAIR_ELEMS ((uint64_t)1 << 28) /* 2 GiB in f64 per factor */

static const char *const method_names[] = {"linear", "cat", "svd"};

const char *merge_method_name(enum merge_method m)
{
	return (unsigned)m < ARRAY_SIZE(method_names) ? method_names[m] : "?";
}

int merge_method_from_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(method_names); i++)
		if (!strcmp(s, method_names[i]))
			return (int)i;
	return -1;
}

int merge_normalise_weights(const double *weights, const double *rates, size_t nr, double *out)
{
	const double *v = weights ? weights : rates;
	double sum = 0;

	if (weights && rates) {
		err_set("--weights and --success-rates cannot be used together");
		return MERGE_EUSAGE;
	}
	if (!nr) {
		err_set("no adapters to merge");
		return MERGE_EUSAGE;
	}
	if (!v) {
		for (size_t i = 0; i < nr; i++)
			out[i] = 1.0 / (double)nr;
		return 0;
	}
	for (size_t i = 0; i < nr; i++) {
		if (!isfinite(v[i])) {
			err_set("%s %zu is not a finite number",
				weights ? "weight" : "success rate", i + 1);
			return MERGE_EUSAGE;
		}
		if (rates && v[i] < 0) {
			err_set("success rate %zu is negative (%g)", i + 1, v[i]);
			return MERGE_EUSAGE;
		}
		sum += v[i];
	}
	if (!isfinite(sum)) {
		err_set("the sum of the %s overflows (it is too large for a double); "
			"scale them down", weights ? "weights" : "success rates");
		return MERGE_EUSAGE;
	}
	if (sum == 0) {
		err_set("the %s sum to zero", weights ? "weights" : "success rates");
		return MERGE_EUSAGE;
	}
	for (size_t i = 0; i < nr; i++)
		out[i] = v[i] / sum;
	return 0;
}

/* ---- inputs and output ---- */

struct input {
	const char *given;
	char *file, *config_path;
	struct stat st, config_st;
	struct st_file *sf;
	cJSON *config;
	double alpha;
	int have_alpha, rslora;
	int warned_scaling; /* "no adapter_config.json" said once per input */
};

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return xstrfmt("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int read_config(struct input *in, void (*warn)(void *, const char *), void *cb)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *v;

	if (strbuf_read_file(&sb, in->config_path) < 0) {
		err_set("cannot read '%s': %s", in->config_path, strerror(errno));
		strbuf_release(&sb);
		return -1;
	}
	if (sb.len > MAX_CONFIG) {
		strbuf_release(&sb);
		return err_set("%s: larger than %d bytes", in->config_path, MAX_CONFIG);
	}
	in->config = json_parse(sb.buf, sb.len);
	strbuf_release(&sb);
	if (!in->config || !cJSON_IsObject(in->config)) {
		cJSON_Delete(in->config);
		in->config = NULL;
		return err_set("%s: not a JSON object", in->config_path);
	}
	v = cJSON_GetObjectItemCaseSensitive(in->config, "lora_alpha");
	if (cJSON_IsNumber(v)) {
		in->alpha = v->valuedouble;
		in->have_alpha = 1;
	}
	in->rslora = json_get_bool(in->config, "use_rslora", 0);
	v = cJSON_GetObjectItemCaseSensitive(in->config, "alpha_pattern");
	if (cJSON_IsObject(v) && v->child && warn) {
		char *msg = xstrfmt("%s: alpha_pattern is not supported; lora_alpha is used "
				    "for every module",
				    in->config_path);
		warn(cb, msg);
		free(msg);
	}
	return 0;
}

/* Find the safetensors file and config of an input; stat both. */
static int resolve_input(struct input *in, const char *given)
{
	in->given = given;
	if (is_dir(given)) {
		in->file = path_join(given, "adapter_model.safetensors");
		in->config_path = path_join(given, "adapter_config.json");
	} else {
		in->file = xstrdup(given);
		/* a PEFT file beside its config */
		if (!strcmp(base_of(given), "adapter_model.safetensors")) {
			char *dir = dir_of(given);
			in->config_path = path_join(dir, "adapter_config.json");
			free(dir);
		}
	}
	if (stat(in->file, &in->st) < 0)
		return err_set("cannot read adapter '%s': %s", in->file, strerror(errno));
	/* a FIFO or a device would hang or stream forever: files only */
	if (!S_ISREG(in->st.st_mode))
		return err_set("adapter '%s' is not a regular file", in->file);
	if (in->config_path && stat(in->config_path, &in->config_st) < 0) {
		free(in->config_path);
		in->config_path = NULL;
	}
	if (in->config_path && !S_ISREG(in->config_st.st_mode))
		return err_set("'%s' is not a regular file", in->config_path);
	return 0;
}

static int same_file(const struct stat *a, const char *path)
{
	struct stat b;
	return !stat(path, &b) && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* ---- the plan ---- */

enum plan_kind { PLAN_LINEAR, PLAN_LORA_A, PLAN_LORA_B };

struct source {
	size_t input;
	const struct st_tensor *t;
	double w;
};

struct plan {
	char *name;
	int kind;
	int dtype;
	int f64;
	size_t ndim;
	uint64_t *shape;
	uint64_t nelem;
	struct source *src;
	size_t nsrc;
	size_t module; /* PLAN_LORA_* */
	/* from the writer */
	uint64_t offset, nbytes;
	uint64_t first_job;
};

struct module {
	char *a_name, *b_name;
	size_t plan_a, plan_b;
	struct source *a, *b; /* per present adapter */
	size_t n;
	uint64_t rank_sum;
};

struct merger {
	const struct merge_options *o;
	struct merge_result *res;
	struct input *in;
	size_t nr;
	double *w;
	struct plan *plan;
	size_t nplan, plan_alloc;
	struct module *mod;
	size_t nmod, mod_alloc;
	uint64_t out_rank; /* cat/svd: the rank of every written pair */
	struct st_writer *writer;
	int fd;
	/* streaming */
	uint64_t total_jobs, next_job, done_bytes, total_bytes;
	int failed;
	pthread_mutex_t lock;
	char *thread_err;
	char *created_dir; /* the output folder, if this merge made it */
};

static void warnf(struct merger *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(struct merger *m, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (!m->o->warn)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	m->o->warn(m->o->cb_data, sb.buf);
	strbuf_release(&sb);
}

static int dtype_rank(int dt)
{
	return dt == ST_F64 ? 3 : dt == ST_F32 ? 2 : 1;
}

/* The output dtype for these sources: --dtype, else the widest. */
static int pick_dtype(struct merger *m, const struct source *src, size_t n)
{
	int best = ST_DTYPE_NONE, mixed_half = 0;
	if (m->o->dtype != ST_DTYPE_NONE)
		return m->o->dtype;
	for (size_t i = 0; i < n; i++) {
		int dt = src[i].t->dtype;
		if (best == ST_DTYPE_NONE || dtype_rank(dt) > dtype_rank(best))
			best = dt;
		else if (dtype_rank(dt) == 1 && dtype_rank(best) == 1 && dt != best)
			mixed_half = 1;
	}
	if (mixed_half && dtype_rank(best) == 1)
		best = ST_F32; /* F16 and BF16 together: neither holds both */
	return best;
}

static int same_shape(const struct st_tensor *a, const struct st_tensor *b)
{
	return a->ndim == b->ndim &&
	       (!a->ndim || !memcmp(a->shape, b->shape, a->ndim * sizeof(*a->shape)));
}

static void shape_str(struct strbuf *sb, const uint64_t *shape, size_t ndim)
{
	strbuf_addch(sb, '[');
	for (size_t d = 0; d < ndim; d++)
		strbuf_addf(sb, "%s%llu", d ? ", " : "", (unsigned long long)shape[d]);
	strbuf_addch(sb, ']');
}

static struct plan *add_plan(struct merger *m, const char *name, int kind)
{
	struct plan *p;
	ALLOC_GROW(m->plan, m->nplan + 1, m->plan_alloc);
	p = &m->plan[m->nplan++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->kind = kind;
	return p;
}

/* Sources of name across the inputs (weights as given, not renormalised). */
static size_t collect(struct merger *m, const char *name, struct source *src)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nr; i++) {
		const struct st_tensor *t = st_find(m->in[i].sf, name);
		if (t) {
			src[n].input = i;
			src[n].t = t;
			src[n].w = m->w[i];
			n++;
		}
	}
	return n;
}

static int check_float(struct merger *m, const struct source *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!st_dtype_is_float(src[i].t->dtype))
			return err_set("%s: tensor '%s' has dtype %s; merging reads F64, F32, "
				       "F16 and BF16",
				       m->in[src[i].input].file, src[i].t->name,
				       st_dtype_name(src[i].t->dtype));
	return 0;
}

static int plan_linear(struct merger *m, const char *name)
{
	struct source *src = xcalloc(m->nr, sizeof(*src));
	size_t n = collect(m, name, src);
	double sum = 0;
	struct plan *p;

	if (check_float(m, src, n) < 0)
		goto fail;
	for (size_t i = 1; i < n; i++)
		if (!same_shape(src[0].t, src[i].t)) {
			struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
			shape_str(&a, src[0].t->shape, src[0].t->ndim);
			shape_str(&b, src[i].t->shape, src[i].t->ndim);
			err_set("tensor '%s': shape %s in %s differs from %s in %s", name, b.buf,
				m->in[src[i].input].file, a.buf, m->in[src[0].input].file);
			strbuf_release(&a);
			strbuf_release(&b);
			goto fail;
		}
	for (size_t i = 0; i < n; i++)
		sum += src[i].w;
	if (n < m->nr) {
		if (sum == 0) {
			err_set("tensor '%s': the weights of the %zu adapters that have it sum to "
				"zero",
				name, n);
			goto fail;
		}
		warnf(m,
		      "tensor '%s' is only in %zu of %zu adapters; merged over those "
		      "with their weights renormalised",
		      name, n, m->nr);
		for (size_t i = 0; i < n; i++)
			src[i].w /= sum;
	}
	p = add_plan(m, name, PLAN_LINEAR);
	p->src = src;
	p->nsrc = n;
	p->dtype = pick_dtype(m, src, n);
	p->f64 = p->dtype == ST_F64;
	for (size_t i = 0; i < n; i++)
		if (src[i].t->dtype == ST_F64)
			p->f64 = 1;
	p->ndim = src[0].t->ndim;
	p->shape = xmalloc((p->ndim ? p->ndim : 1) * sizeof(*p->shape));
	if (p->ndim)
		memcpy(p->shape, src[0].t->shape, p->ndim * sizeof(*p->shape));
	p->nelem = src[0].t->nelem;
	return 0;
fail:
	free(src);
	return -1;
}

static const char *const lora_suffix[][2] = {
	{".lora_A.weight", ".lora_B.weight"},
	{".lora_embedding_A", ".lora_embedding_B"},
};

/* If name is one half of a LoRA pair, the other half's name (caller frees). */
static char *lora_partner(const char *name, int *is_a)
{
	for (size_t k = 0; k < ARRAY_SIZE(lora_suffix); k++)
		for (int h = 0; h < 2; h++)
			if (ends_with(name, lora_suffix[k][h])) {
				size_t base = strlen(name) - strlen(lora_suffix[k][h]);
				*is_a = !h;
				return xstrfmt("%.*s%s", (int)base, name, lora_suffix[k][!h]);
			}
	return NULL;
}

static uint64_t tail_elems(const struct st_tensor *t, size_t from)
{
	uint64_t n = 1;
	for (size_t d = from; d < t->ndim; d++)
		n *= t->shape[d]; /* cannot overflow: nelem did not */
	return n;
}

static int plan_lora(struct merger *m, const char *a_name, const char *b_name)
{
	struct module *mod;
	struct source *a = xcalloc(m->nr, sizeof(*a)), *b = xcalloc(m->nr, sizeof(*b));
	size_t na = collect(m, a_name, a), nb = collect(m, b_name, b);
	uint64_t sum = 0;

	if (check_float(m, a, na) < 0 || check_float(m, b, nb) < 0)
		goto fail;
	for (size_t i = 0, j = 0; i < na || j < nb;) {
		if (j >= nb || (i < na && a[i].input < b[j].input)) {
			err_set("%s: tensor '%s' has no matching '%s'", m->in[a[i].input].file,
				a_name, b_name);
			goto fail;
		}
		if (i >= na || b[j].input < a[i].input) {
			err_set("%s: tensor '%s' has no matching '%s'", m->in[b[j].input].file,
				b_name, a_name);
			goto fail;
		}
		i++, j++;
	}
	for (size_t i = 0; i < na; i++) {
		const struct st_tensor *ta = a[i].t, *tb = b[i].t;
		const char *file = m->in[a[i].input].file;
		if (ta->ndim < 2 || tb->ndim < 2 || tb->shape[1] != ta->shape[0]) {
			err_set("%s: tensors '%s' and '%s' are not a LoRA pair (A [r, in], "
				"B [out, r])",
				file, a_name, b_name);
			goto fail;
		}
		if (i && (ta->ndim != a[0].t->ndim ||
			  memcmp(ta->shape + 1, a[0].t->shape + 1, (ta->ndim - 1) * 8) ||
			  tb->ndim != b[0].t->ndim || tb->shape[0] != b[0].t->shape[0] ||
			  memcmp(tb->shape + 2, b[0].t->shape + 2, (tb->ndim - 2) * 8))) {
			err_set("tensor '%s': shape in %s does not match %s (only the rank may "
				"differ)",
				a_name, file, m->in[a[0].input].file);
			goto fail;
		}
		if (m->o->method == MERGE_SVD && tail_elems(tb, 2) != 1) {
			err_set("tensor '%s': svd needs B of shape [out, r] (or [out, r, 1, 1])",
				b_name);
			goto fail;
		}
		sum += ta->shape[0];
		if (!m->in[a[i].input].config && !m->in[a[i].input].warned_scaling) {
			m->in[a[i].input].warned_scaling = 1;
			warnf(m, "no adapter_config.json for %s: its LoRA scaling is taken as 1",
			      m->in[a[i].input].given);
		}
	}
	if (na < m->nr)
		warnf(m,
		      "LoRA pair '%s' is only in %zu of %zu adapters; the others contribute "
		      "no delta",
		      a_name, na, m->nr);
	ALLOC_GROW(m->mod, m->nmod + 1, m->mod_alloc);
	mod = &m->mod[m->nmod];
	mod->a_name = xstrdup(a_name);
	mod->b_name = xstrdup(b_name);
	mod->a = a;
	mod->b = b;
	mod->n = na;
	mod->rank_sum = sum;
	m->nmod++;
	return 0;
fail:
	free(a);
	free(b);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_plan(const void *a, const void *b)
{
	return strcmp(((const struct plan *)a)->name, ((const struct plan *)b)->name);
}

/* Every tensor name of every input, sorted, unique. */
static char **all_names(struct merger *m, size_t *count)
{
	size_t n = 0, alloc = 0, u = 0;
	char **names = NULL;
	for (size_t i = 0; i < m->nr; i++)
		for (size_t t = 0; t < m->in[i].sf->nr; t++) {
			ALLOC_GROW(names, n + 1, alloc);
			names[n++] = m->in[i].sf->tensors[t].name;
		}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!u || strcmp(names[u - 1], names[i]))
			names[u++] = names[i];
	*count = u;
	return names;
}

static double lora_scale(struct merger *m, size_t input, uint64_t r)
{
	struct input *in = &m->in[input];
	if (!in->have_alpha || !r)
		return 1.0;
	return in->rslora ? in->alpha / sqrt((double)r) : in->alpha / (double)r;
}

static int build_plan(struct merger *m)
{
	size_t count;
	char **names = all_names(m, &count);
	int ret = 0;

	for (size_t i = 0; i < count && !ret; i++) {
		char *partner = NULL;
		int is_a = 0;
		if (m->o->method != MERGE_LINEAR)
			partner = lora_partner(names[i], &is_a);
		if (!partner) {
			ret = plan_linear(m, names[i]);
		} else if (is_a) {
			ret = plan_lora(m, names[i], partner);
		} else {
			/* B half: planned with its A, unless no input has that A */
			int any = 0;
			for (size_t k = 0; k < m->nr; k++)
				any |= !!st_find(m->in[k].sf, partner);
			if (!any)
				ret = plan_lora(m, partner, names[i]);
		}
		free(partner);
	}
	free(names);
	if (ret)
		return -1;

	/* LoRA outputs: one rank for every module (zero-padded), as PEFT's r */
	if (m->nmod) {
		uint64_t r = 0;
		for (size_t k = 0; k < m->nmod; k++) {
			struct module *mod = &m->mod[k];
			if (m->o->method == MERGE_CAT) {
				if (mod->rank_sum > r)
					r = mod->rank_sum;
			} else {
				for (size_t i = 0; i < mod->n; i++)
					if (mod->a[i].t->shape[0] > r)
						r = mod->a[i].t->shape[0];
			}
		}
		if (m->o->method == MERGE_SVD && m->o->rank > 0)
			r = (uint64_t)m->o->rank;
		m->out_rank = r;
	}
	for (size_t k = 0; k < m->nmod; k++) {
		struct module *mod = &m->mod[k];
		const struct st_tensor *ta = mod->a[0].t, *tb = mod->b[0].t;
		struct plan *pa = add_plan(m, mod->a_name, PLAN_LORA_A);
		struct plan *pb = add_plan(m, mod->b_name, PLAN_LORA_B);
		struct source *all = xcalloc(2 * mod->n, sizeof(*all));
		int dt;
		memcpy(all, mod->a, mod->n * sizeof(*all));
		memcpy(all + mod->n, mod->b, mod->n * sizeof(*all));
		dt = pick_dtype(m, all, 2 * mod->n);
		free(all);
		pa->dtype = pb->dtype = dt;
		pa->module = pb->module = k;
		pa->ndim = ta->ndim;
		pa->shape = xmalloc(ta->ndim * sizeof(uint64_t));
		memcpy(pa->shape, ta->shape, ta->ndim * sizeof(uint64_t));
		pa->shape[0] = m->out_rank;
		pb->ndim = tb->ndim;
		pb->shape = xmalloc(tb->ndim * sizeof(uint64_t));
		memcpy(pb->shape, tb->shape, tb->ndim * sizeof(uint64_t));
		pb->shape[1] = m->out_rank;
		/* cat and svd hold a pair in f64: refuse what cannot be held */
		if (__builtin_mul_overflow(m->out_rank, tail_elems(ta, 1), &pa->nelem) ||
		    __builtin_mul_overflow(m->out_rank, tb->shape[0], &pb->nelem) ||
		    __builtin_mul_overflow(pb->nelem, tail_elems(tb, 2), &pb->nelem) ||
		    pa->nelem > MAX_PAIR_ELEMS || pb->nelem > MAX_PAIR_ELEMS ||
		    mod->rank_sum * (tail_elems(ta, 1) + tb->shape[0]) > MAX_PAIR_ELEMS)
			return err_set("tensor '%s': the merged LoRA pair is too large for %s "
				       "(more than %llu elements)",
				       mod->a_name, merge_method_name(m->o->method),
				       (unsigned long long)MAX_PAIR_ELEMS);
	}
	if (m->nplan)
		qsort(m->plan, m->nplan, sizeof(*m->plan), cmp_plan);
	for (size_t i = 0; i < m->nplan; i++) {
		struct plan *p = &m->plan[i];
		if (p->kind == PLAN_LORA_A)
			m->mod[p->module].plan_a = i;
		else if (p->kind == PLAN_LORA_B)
			m->mod[p->module].plan_b = i;
	}
	return 0;
}

/* ---- writing data ---- */

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void account(struct merger *m, uint64_t bytes)
{
	uint64_t before = __atomic_fetch_add(&m->done_bytes, bytes, __ATOMIC_RELAXED);
	st_writer_account(m->writer, bytes);
	if (before / FLUSH_EVERY != (before + bytes) / FLUSH_EVERY)
		st_writer_flush_hint(m->writer);
}

static int write_plan_f64(struct merger *m, struct plan *p, const double *v)
{
	size_t osz = st_dtype_size(p->dtype);
	unsigned char *buf = xmalloc(CHUNK * 8);
	for (uint64_t off = 0; off < p->nelem; off += CHUNK) {
		size_t n = p->nelem - off < CHUNK ? (size_t)(p->nelem - off) : CHUNK;
		fp_store_f64(buf, p->dtype, v + off, n);
		if (pwrite_all(m->fd, buf, n * osz, p->offset + off * osz) < 0) {
			free(buf);
			return err_set("cannot write '%s': %s", m->res->output, strerror(errno));
		}
		account(m, n * osz);
	}
	free(buf);
	return 0;
}

/*
 * The cat factors of a module, unpadded: A [R, in] with rows w_i*s_i*A_i,
 * B [out, R, tail] with B_i side by side. R = mod->rank_sum.
 */
static void cat_factors(struct merger *m, struct module *mod, double *A, double *B,
			uint64_t stride_r)
{
	uint64_t in = tail_elems(mod->a[0].t, 1), out = mod->b[0].t->shape[0];
	uint64_t tail = tail_elems(mod->b[0].t, 2), row = 0;

	for (size_t i = 0; i < mod->n; i++) {
		const struct st_tensor *ta = mod->a[i].t, *tb = mod->b[i].t;
		const struct st_file *fa = m->in[mod->a[i].input].sf;
		const struct st_file *fb = m->in[mod->b[i].input].sf;
		uint64_t r = ta->shape[0];
		double c = mod->a[i].w * lora_scale(m, mod->a[i].input, r);
		size_t bsz = st_dtype_size(tb->dtype);

		fp_axpy_f64(A + row * in, c, st_tensor_data(fa, ta), ta->dtype, r * in);
		for (uint64_t o = 0; o < out; o++)
			fp_axpy_f64(B + (o * stride_r + row) * tail, 1.0,
				    st_tensor_data(fb, tb) + o * r * tail * bsz, tb->dtype,
				    r * tail);
		row += r;
	}
}

/* After a SIGBUS in a guarded read: the error naming the input. -1. */
static int input_vanished(struct merger *m, const struct st_guard *g)
{
	struct st_file **f = xcalloc(m->nr, sizeof(*f));
	for (size_t i = 0; i < m->nr; i++)
		f[i] = m->in[i].sf;
	st_guard_error(g, f, m->nr);
	free(f);
	return -1;
}

/* cat_factors(), or -1 if an input vanished while it was read. */
static int read_factors(struct merger *m, struct module *mod, double *A, double *B,
			uint64_t stride_r)
{
	struct st_guard g;
	st_guard_push(&g);
	if (sigsetjmp(g.jb, 0)) {
		st_guard_pop(&g);
		return input_vanished(m, &g);
	}
	cat_factors(m, mod, A, B, stride_r);
	st_guard_pop(&g);
	return 0;
}

static int write_cat(struct merger *m, struct module *mod)
{
	struct plan *pa = &m->plan[mod->plan_a], *pb = &m->plan[mod->plan_b];
	double *A = xcalloc(pa->nelem ? pa->nelem : 1, sizeof(double));
	double *B = xcalloc(pb->nelem ? pb->nelem : 1, sizeof(double));
	int ret;

	ret = read_factors(m, mod, A, B, m->out_rank);
	if (!ret)
		ret = write_plan_f64(m, pa, A);
	if (!ret)
		ret = write_plan_f64(m, pb, B);
	free(A);
	free(B);
	return ret;
}

/* C[m x n] = A[m x k] * B[k x n], row-major, with leading dimensions. */
static void matmul(double *C, const double *A, const double *B, size_t mm, size_t k, size_t n,
		   size_t lda, size_t ldb, size_t ldc)
{
	for (size_t i = 0; i < mm; i++) {
		double *c = C + i * ldc;
		memset(c, 0, n * sizeof(double));
		for (size_t l = 0; l < k; l++) {
			double a = A[i * lda + l];
			const double *b = B + l * ldb;
			if (a == 0)
				continue;
			for (size_t j = 0; j < n; j++)
				c[j] += a * b[j];
		}
	}
}

/*
 * QR of X [rows x cols] (row-major, overwritten by Q [rows x k]);
 * R [k x cols] upper triangular out; k = min(rows, cols).
 */
static int qr(double *X, size_t rows, size_t cols, double *R, const char *name)
{
	size_t k = rows < cols ? rows : cols;
	double *tau = xmalloc((k ? k : 1) * sizeof(double));
	lapack_int info;

	info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)cols, X,
			      (lapack_int)cols, tau);
	if (!info) {
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < cols; j++)
				R[i * cols + j] = j >= i ? X[i * cols + j] : 0;
		info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)k,
				      (lapack_int)k, X, (lapack_int)cols, tau);
	}
	free(tau);
	if (info)
		return err_set("tensor '%s': LAPACK QR failed (info %d)", name, (int)info);
	return 0;
}

static int write_svd(struct merger *m, struct module *mod)
{
	struct plan *pa = &m->plan[mod->plan_a], *pb = &m->plan[mod->plan_b];
	size_t in = tail_elems(mod->a[0].t, 1), out = mod->b[0].t->shape[0];
	size_t R = mod->rank_sum, rank = m->out_rank;
	size_t k1 = out < R ? out : R, k2 = in < R ? in : R, mn = k1 < k2 ? k1 : k2;
	size_t keep = rank < mn ? rank : mn;
	double *A = xcalloc(R * in + 1, sizeof(double)), *B = xcalloc(out * R + 1, sizeof(double));
	double *At = xmalloc((in * R + 1) * sizeof(double));
	double *Rb = xcalloc(k1 * R + 1, sizeof(double)), *Ra = xcalloc(k2 * R + 1, sizeof(double));
	double *M = xcalloc(k1 * k2 + 1, sizeof(double)), *S = xcalloc(mn + 1, sizeof(double));
	double *U = xcalloc(k1 * mn + 1, sizeof(double)),
	       *VT = xcalloc(mn * k2 + 1, sizeof(double));
	double *Ao = xcalloc(pa->nelem + 1, sizeof(double)),
	       *Bo = xcalloc(pb->nelem + 1, sizeof(double));
	int ret = -1;

	if (read_factors(m, mod, A, B, R) < 0)
		goto out;
	/* D = B·A = Qb Rb (Qa Ra)^T = Qb (Rb Ra^T) Qa^T; SVD of the small middle */
	for (size_t r = 0; r < R; r++)
		for (size_t x = 0; x < in; x++)
			At[x * R + r] = A[r * in + x];
	if (keep) {
		lapack_int info;
		if (qr(B, out, R, Rb, mod->b_name) < 0 || qr(At, in, R, Ra, mod->a_name) < 0)
			goto out;
		/* M [k1 x k2] = Rb [k1 x R] * Ra^T [R x k2] */
		for (size_t i = 0; i < k1; i++)
			for (size_t j = 0; j < k2; j++) {
				double s = 0;
				for (size_t l = 0; l < R; l++)
					s += Rb[i * R + l] * Ra[j * R + l];
				M[i * k2 + j] = s;
			}
		info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)k1, (lapack_int)k2, M,
				      (lapack_int)k2, S, U, (lapack_int)mn, VT, (lapack_int)k2);
		if (info) {
			err_set("tensor '%s': LAPACK SVD failed (info %d)", mod->a_name, (int)info);
			goto out;
		}
		for (size_t j = 0; j < keep; j++) {
			double s = sqrt(S[j]);
			for (size_t i = 0; i < k1; i++)
				U[i * mn + j] *= s;
			for (size_t l = 0; l < k2; l++)
				VT[j * k2 + l] *= s;
		}
		/* B' [out x rank] = Qb [out x k1] * U[:, :keep]; B's row stride is R */
		matmul(Bo, B, U, out, k1, keep, R, mn, rank);
		/* A' [rank x in] = VT[:keep, :] [keep x k2] * Qa^T [k2 x in] */
		for (size_t j = 0; j < keep; j++)
			for (size_t x = 0; x < in; x++) {
				double s = 0;
				for (size_t l = 0; l < k2; l++)
					s += VT[j * k2 + l] * At[x * R + l];
				Ao[j * in + x] = s;
			}
	}
	ret = write_plan_f64(m, pa, Ao);
	if (!ret)
		ret = write_plan_f64(m, pb, Bo);
out:
	free(A), free(B), free(At), free(Rb), free(Ra), free(M), free(S), free(U), free(VT);
	free(Ao), free(Bo);
	return ret;
}

/*
 * acc = sum(w_i * t_i) over elements [off, off + n) of plan p's sources;
 * -1 with err_set() when an input vanished under us (SIGBUS).
 */
static int accumulate(struct merger *m, const struct plan *p, uint64_t off, size_t n, void *acc)
{
	struct st_guard g;

	st_guard_push(&g);
	if (sigsetjmp(g.jb, 0)) {
		st_guard_pop(&g);
		return input_vanished(m, &g);
	}
	memset(acc, 0, n * (p->f64 ? 8 : 4));
	for (size_t i = 0; i < p->nsrc; i++) {
		const struct st_file *f = m->in[p->src[i].input].sf;
		const struct st_tensor *t = p->src[i].t;
		size_t isz = st_dtype_size(t->dtype);
		const unsigned char *s = st_tensor_data(f, t) + off * isz;
		if (p->f64)
			fp_axpy_f64(acc, p->src[i].w, s, t->dtype, n);
		else
			fp_axpy_f32(acc, (float)p->src[i].w, s, t->dtype, n);
		st_release(f, t->begin + off * isz, n * isz);
	}
	st_guard_pop(&g);
	return 0;
}

/*
 * One streamed chunk: job j of plan p. -1 with errno when the output
 * cannot be written, -2 with err_set() when an input vanished under us.
 */
static int run_chunk(struct merger *m, struct plan *p, uint64_t j, void *acc, unsigned char *obuf)
{
	uint64_t off = j * CHUNK;
	size_t n = p->nelem - off < CHUNK ? (size_t)(p->nelem - off) : CHUNK;
	size_t osz = st_dtype_size(p->dtype);

	if (accumulate(m, p, off, n, acc) < 0)
		return -2;
	if (p->f64)
		fp_store_f64(obuf, p->dtype, acc, n);
	else
		fp_store_f32(obuf, p->dtype, acc, n);
	if (pwrite_all(m->fd, obuf, n * osz, p->offset + off * osz) < 0)
		return -1;
	account(m, n * osz);
	return 0;
}

struct worker {
	struct merger *m;
	int main;
	pthread_t th;
};

static void *stream_worker(void *arg)
{
	struct worker *wk = arg;
	struct merger *m = wk->m;
	double *acc = xmalloc(CHUNK * sizeof(double));
	unsigned char *obuf = xmalloc(CHUNK * 8);
	size_t p = 0;
	int rc;

	for (;;) {
		uint64_t j = __atomic_fetch_add(&m->next_job, 1, __ATOMIC_RELAXED);
		if (j >= m->total_jobs || __atomic_load_n(&m->failed, __ATOMIC_RELAXED))
			break;
		/* jobs are taken in increasing order: the plan only moves forward */
		while (m->plan[p].kind != PLAN_LINEAR ||
		       j >= m->plan[p].first_job + (m->plan[p].nelem + CHUNK - 1) / CHUNK)
			p++;
		rc = run_chunk(m, &m->plan[p], j - m->plan[p].first_job, acc, obuf);
		if (rc < 0) {
			int e = errno;
			pthread_mutex_lock(&m->lock);
			if (!m->failed) {
				m->failed = 1;
				m->thread_err = rc == -2 ? xstrdup(err_msg())
							 : xstrfmt("cannot write '%s': %s",
								   m->res->output, strerror(e));
			}
			pthread_mutex_unlock(&m->lock);
			break;
		}
		if (wk->main && m->o->progress)
			m->o->progress(m->o->cb_data,
				       __atomic_load_n(&m->done_bytes, __ATOMIC_RELAXED),
				       m->total_bytes);
	}
	free(acc);
	free(obuf);
	return NULL;
}

static int stream_linear(struct merger *m)
{
	int nthreads = m->o->threads;
	struct worker *wk;

	if (nthreads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = n < 1 ? 1 : n > 4 ? 4 : (int)n;
	}
	for (size_t i = 0; i < m->nplan; i++) {
		struct plan *p = &m->plan[i];
		p->first_job = m->total_jobs;
		if (p->kind == PLAN_LINEAR)
			m->total_jobs += (p->nelem + CHUNK - 1) / CHUNK;
	}
	if (!m->total_jobs)
		return 0;
	if ((uint64_t)nthreads > m->total_jobs)
		nthreads = (int)m->total_jobs;
	wk = xcalloc((size_t)nthreads, sizeof(*wk));
	pthread_mutex_init(&m->lock, NULL);
	for (int i = 0; i < nthreads; i++) {
		wk[i].m = m;
		wk[i].main = !i;
		if (i && pthread_create(&wk[i].th, NULL, stream_worker, &wk[i]))
			wk[i].main = -1; /* could not start: the others do its share */
	}
	stream_worker(&wk[0]);
	for (int i = 1; i < nthreads; i++)
		if (wk[i].main != -1)
			pthread_join(wk[i].th, NULL);
	free(wk);
	pthread_mutex_destroy(&m->lock);
	if (m->failed) {
		err_set("%s", m->thread_err);
		free(m->thread_err);
		return -1;
	}
	return 0;
}

/* ---- metadata ---- */

static void weights_json(struct merger *m, struct strbuf *sb)
{
	struct json_writer jw;
	jw_init(&jw, sb, 0);
	jw_array_begin(&jw);
	for (size_t i = 0; i < m->nr; i++)
		jw_double(&jw, m->w[i]);
	jw_array_end(&jw);
}

static const char *parent_name(struct merger *m, size_t i)
{
	return m->o->parent_names && m->o->parent_names[i] ? m->o->parent_names[i] : m->in[i].given;
}

static void parents_json(struct merger *m, struct strbuf *sb)
{
	struct json_writer jw;
	jw_init(&jw, sb, 0);
	jw_array_begin(&jw);
	for (size_t i = 0; i < m->nr; i++)
		jw_string(&jw, parent_name(m, i));
	jw_array_end(&jw);
}

static char *meta_json(struct merger *m)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer jw;
	char now[32];

	utc_now(now);
	jw_init(&jw, &sb, 1);
	jw_object_begin(&jw);
	jw_key(&jw, "method");
	jw_string(&jw, merge_method_name(m->o->method));
	jw_key(&jw, "weights");
	jw_array_begin(&jw);
	for (size_t i = 0; i < m->nr; i++)
		jw_double(&jw, m->w[i]);
	jw_array_end(&jw);
	jw_key(&jw, "parents");
	jw_array_begin(&jw);
	for (size_t i = 0; i < m->nr; i++)
		jw_string(&jw, parent_name(m, i));
	jw_array_end(&jw);
	jw_key(&jw, "adapters");
	jw_array_begin(&jw);
	for (size_t i = 0; i < m->nr; i++)
		jw_string(&jw, m->in[i].given); /* as given: never made absolute here */
	jw_array_end(&jw);
	if (m->o->method != MERGE_LINEAR) {
		jw_key(&jw, "rank");
		jw_int(&jw, (int64_t)m->out_rank);
	}
	jw_key(&jw, "tensors");
	jw_int(&jw, (int64_t)m->nplan);
	jw_key(&jw, "created_at");
	jw_string(&jw, now);
	jw_key(&jw, "created_with");
	jw_string(&jw, "git-patterns " GIT_PATTERNS_VERSION);
	jw_object_end(&jw);
	strbuf_addch(&sb, '\n');
	return strbuf_detach(&sb, NULL);
}

/* The adapter_config.json to write, or NULL for none. */
static char *config_json(struct merger *m)
{
	cJSON *c = NULL;
	char *text;

	for (size_t i = 0; i < m->nr && !c; i++)
		if (m->in[i].config)
			c = cJSON_Duplicate(m->in[i].config, 1);
	if (m->o->method == MERGE_LINEAR) {
		if (!c)
			return NULL;
	} else {
		if (!c) {
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "peft_type", "LORA");
		}
		/* scaling is baked into A: r = lora_alpha makes PEFT's scale 1 */
		cJSON_DeleteItemFromObjectCaseSensitive(c, "r");
		cJSON_AddNumberToObject(c, "r", (double)m->out_rank);
		cJSON_DeleteItemFromObjectCaseSensitive(c, "lora_alpha");
		cJSON_AddNumberToObject(c, "lora_alpha", (double)m->out_rank);
		cJSON_DeleteItemFromObjectCaseSensitive(c, "use_rslora");
		cJSON_AddBoolToObject(c, "use_rslora", 0);
		cJSON_DeleteItemFromObjectCaseSensitive(c, "rank_pattern");
		cJSON_AddObjectToObject(c, "rank_pattern");
		cJSON_DeleteItemFromObjectCaseSensitive(c, "alpha_pattern");
		cJSON_AddObjectToObject(c, "alpha_pattern");
	}
	text = cJSON_Print(c);
	cJSON_Delete(c);
	{
		char *withnl = xstrfmt("%s\n", text);
		cJSON_free(text);
		return withnl;
	}
}

/* ---- the merge ---- */

/* 1 with err_set() when path exists and is not a regular file. */
static int not_a_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || S_ISREG(st.st_mode))
		return 0;
	err_set("the output '%s' exists and is not a regular file%s", path,
		S_ISDIR(st.st_mode) ? "" : " (a device, FIFO or socket)");
	return 1;
}

/*
 * The first safetensors file beside output (in its folder) other than
 * output itself, or NULL: the adapter an adapter_config.json there may
 * describe, which a merge must not leave beside a config it rewrote.
 */
static char *other_adapter(const char *output)
{
	char *dir = dir_of(output), *found = NULL;
	const char *base = base_of(output);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && !found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 12 && !strcmp(e->d_name + n - 12, ".safetensors") &&
		    strcmp(e->d_name, base))
			found = path_join(dir, e->d_name);
	}
	if (d)
		closedir(d);
	free(dir);
	return found;
}

static int resolve_output(struct merger *m)
{
	const char *out = m->o->output;
	size_t len = strlen(out);
	struct merge_result *res = m->res;
	int folder = is_dir(out) || (len && out[len - 1] == '/');

	if (!len) {
		err_set("the output path is empty");
		return MERGE_EUSAGE;
	}
	if (folder) {
		if (!mkdir(out, 0777))
			m->created_dir = xstrdup(out);
		else if (errno != EEXIST)
			return err_set("cannot create folder '%s': %s", out, strerror(errno));
		res->output = path_join(out, "adapter_model.safetensors");
		res->config = path_join(out, "adapter_config.json");
	} else {
		char *dir = dir_of(out);
		res->output = xstrdup(out);
		if (m->o->method != MERGE_LINEAR ||
		    !strcmp(base_of(out), "adapter_model.safetensors"))
			res->config = path_join(dir, "adapter_config.json");
		free(dir);
	}
	res->meta = xstrfmt("%s.meta.json", res->output);
	/*
	 * Each file is written beside its place and renamed over it: that
	 * would replace a device, a FIFO or a socket (as root, /dev/null) by
	 * a regular file. Anything there must be a regular file.
	 */
	if (not_a_file(res->output) || not_a_file(res->meta) ||
	    (res->config && not_a_file(res->config)))
		return MERGE_EUSAGE;
	if (!folder && res->config && !access(res->config, F_OK)) {
		char *other = other_adapter(res->output);
		if (other) {
			err_set("'%s' describes '%s' too: the merge's config would disagree "
				"with it; write the merge to a folder of its own (--output DIR/)",
				res->config, other);
			free(other);
			return -1;
		}
	}
	for (size_t i = 0; i < m->nr; i++) {
		struct input *in = &m->in[i];
		if (same_file(&in->st, res->output) || same_file(&in->st, res->meta) ||
		    (res->config && same_file(&in->st, res->config))) {
			err_set("the output '%s' is the input '%s'", res->output, in->given);
			return MERGE_EUSAGE;
		}
		if (in->config_path && res->config && same_file(&in->config_st, res->config)) {
			err_set("writing '%s' would replace the adapter_config.json of input '%s'",
				res->config, in->given);
			return MERGE_EUSAGE;
		}
	}
	return 0;
}

/* Free what the merge holds (the result stays the caller's). */
static void merger_release(struct merger *m)
{
	st_writer_abort(m->writer);
	m->writer = NULL;
	free(m->created_dir);
	for (size_t i = 0; i < m->nplan; i++) {
		free(m->plan[i].name);
		free(m->plan[i].shape);
		free(m->plan[i].src);
	}
	free(m->plan);
	for (size_t k = 0; k < m->nmod; k++) {
		free(m->mod[k].a_name);
		free(m->mod[k].b_name);
		free(m->mod[k].a);
		free(m->mod[k].b);
	}
	free(m->mod);
	for (size_t i = 0; m->in && i < m->nr; i++) {
		free(m->in[i].file);
		free(m->in[i].config_path);
		st_close(m->in[i].sf);
		cJSON_Delete(m->in[i].config);
	}
	free(m->in);
}

/* Resolve and open the inputs and the output; 0, -1, or MERGE_EUSAGE. */
static int open_inputs(struct merger *m)
{
	const struct merge_options *o = m->o;
	int ret, have_config = 0;

	m->in = xcalloc(o->nr, sizeof(*m->in));
	for (size_t i = 0; i < o->nr; i++)
		if (resolve_input(&m->in[i], o->adapters[i]) < 0)
			return -1;
	ret = resolve_output(m);
	if (ret)
		return ret;
	for (size_t i = 0; i < o->nr; i++) {
		if (st_open(&m->in[i].sf, m->in[i].file) < 0)
			return -1;
		if (m->in[i].config_path && read_config(&m->in[i], o->warn, o->cb_data) < 0)
			return -1;
		have_config |= m->in[i].config != NULL;
	}
	/* linear writes the first input's config: with none, one there would stay */
	if (o->method == MERGE_LINEAR && !have_config && m->res->config &&
	    !access(m->res->config, F_OK))
		return err_set("'%s' describes another adapter and no input has an "
			       "adapter_config.json to replace it; remove it, or write the "
			       "merge elsewhere",
			       m->res->config);
	return 0;
}

/* Linear merging averages A and B as stored: say so when the scales differ. */
static void warn_alpha(struct merger *m)
{
	double alpha = 0;
	int have = 0;
	for (size_t i = 0; i < m->nr; i++)
		if (m->in[i].have_alpha) {
			if (have && m->in[i].alpha != alpha)
				warnf(m, "the adapters have different lora_alpha; linear "
					 "merging averages A and B as stored");
			alpha = m->in[i].alpha;
			have = 1;
		}
}

/* Start the output: its header (tensors of the plan, merge metadata). */
static int begin_output(struct merger *m)
{
	struct st_out_tensor *ot = xcalloc(m->nplan ? m->nplan : 1, sizeof(*ot));
	struct strbuf wjson = STRBUF_INIT, pjson = STRBUF_INIT;
	struct st_meta meta[4];
	int ret = -1;

	for (size_t i = 0; i < m->nplan; i++) {
		ot[i].name = m->plan[i].name;
		ot[i].dtype = m->plan[i].dtype;
		ot[i].ndim = m->plan[i].ndim;
		ot[i].shape = m->plan[i].shape;
	}
	weights_json(m, &wjson);
	parents_json(m, &pjson);
	meta[0] = (struct st_meta){"format", "pt"};
	meta[1] = (struct st_meta){"merge_method", (char *)merge_method_name(m->o->method)};
	meta[2] = (struct st_meta){"merge_weights", wjson.buf};
	meta[3] = (struct st_meta){"merge_parents", pjson.buf};
	if (st_writer_begin(&m->writer, m->res->output, ot, m->nplan, meta, 4) < 0)
		goto out;
	m->fd = st_writer_fd(m->writer);
	for (size_t i = 0; i < m->nplan; i++) {
		m->plan[i].offset = ot[i].offset;
		m->plan[i].nbytes = ot[i].nbytes;
		m->total_bytes += ot[i].nbytes;
	}
	ret = 0;
out:
	free(ot);
	strbuf_release(&wjson);
	strbuf_release(&pjson);
	return ret;
}

/* Put the output in place, then its adapter_config.json and meta.json. */
static int finish_output(struct merger *m)
{
	struct merge_result *res = m->res;
	char *config = res->config ? config_json(m) : NULL, *metatext;
	struct st_writer *w = m->writer;
	int ret = -1;

	if (!config) {
		free(res->config);
		res->config = NULL;
	}
	metatext = meta_json(m);
	m->writer = NULL;
	if (st_writer_commit(w) < 0)
		goto out;
	if ((config && write_file_atomic(res->config, config, strlen(config)) < 0) ||
	    write_file_atomic(res->meta, metatext, strlen(metatext)) < 0) {
		unlink(res->output);
		goto out;
	}
	ret = 0;
out:
	free(config);
	free(metatext);
	return ret;
}

int merge_adapters(const struct merge_options *o, struct merge_result *res)
{
	struct merger m;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&m, 0, sizeof(m));
	m.o = o;
	m.res = res;
	m.nr = o->nr;
	m.fd = -1;
	res->weights = m.w = xcalloc(o->nr ? o->nr : 1, sizeof(double));
	if ((unsigned)o->method > MERGE_SVD) {
		err_set("unknown merge method");
		return MERGE_EUSAGE;
	}
	if (o->dtype != ST_DTYPE_NONE && !st_dtype_is_float(o->dtype)) {
		err_set("output dtype must be F64, F32, F16 or BF16");
		return MERGE_EUSAGE;
	}
	ret = merge_normalise_weights(o->weights, o->success_rates, o->nr, m.w);
	if (ret)
		return ret;
	ret = open_inputs(&m);
	if (ret)
		goto out;
	ret = -1;
	if (build_plan(&m) < 0)
		goto out;
	if (o->method == MERGE_LINEAR)
		warn_alpha(&m);
	if (begin_output(&m) < 0)
		goto out;
	for (size_t k = 0; k < m.nmod; k++)
		if ((o->method == MERGE_CAT ? write_cat(&m, &m.mod[k]) : write_svd(&m, &m.mod[k])) <
		    0)
			goto out;
	if (stream_linear(&m) < 0)
		goto out;
	if (o->progress)
		o->progress(o->cb_data, m.done_bytes, m.total_bytes);
	if (finish_output(&m) < 0)
		goto out;
	res->tensors = m.nplan;
	res->bytes = m.total_bytes;
	res->rank = (int)m.out_rank;
	ret = 0;
out:
	st_writer_abort(m.writer);
	m.writer = NULL;
	if (ret && m.created_dir)
		rmdir(m.created_dir); /* only if still empty */
	merger_release(&m);
	return ret;
}

void merge_result_release(struct merge_result *r)
{
	free(r->weights);
	free(r->output);
	free(r->config);
	free(r->meta);
	memset(r, 0, sizeof(*r));
}
