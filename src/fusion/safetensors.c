/*
 * safetensors.c: the safetensors reader (validating, over mmap) and writer
 * (through a temporary file: common/tempfile.h).
 *
 * The header is parsed by a small strict JSON parser of its own rather
 * than cJSON, because validation needs what cJSON cannot give: exact
 * 64-bit integers (cJSON keeps doubles), duplicate keys (reported, not
 * merged) and names with an escaped NUL (cJSON truncates them). It accepts
 * exactly RFC 8259 JSON (valid UTF-8, no raw control characters in
 * strings, nesting bounded by JSON_MAX_DEPTH) and builds nothing but the
 * tensor table.
 */
#include "fusion/safetensors.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/tempfile.h"
#include "common/util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	size_t size;
} dtypes[ST_DTYPE_COUNT] = {
	[ST_BOOL] = {"BOOL", 1},       [ST_U8] = {"U8", 1},	      [ST_I8] = {"I8", 1},
	[ST_F8_E5M2] = {"F8_E5M2", 1}, [ST_F8_E4M3] = {"F8_E4M3", 1}, [ST_I16] = {"I16", 2},
	[ST_U16] = {"U16", 2},	       [ST_F16] = {"F16", 2},	      [ST_BF16] = {"BF16", 2},
	[ST_I32] = {"I32", 4},	       [ST_U32] = {"U32", 4},	      [ST_F32] = {"F32", 4},
	[ST_F64] = {"F64", 8},	       [ST_I64] = {"I64", 8},	      [ST_U64] = {"U64", 8},
};

const char *st_dtype_name(int dtype)
{
	return dtype >= 0 && dtype < ST_DTYPE_COUNT ? dtypes[dtype].name : NULL;
}

int st_dtype_from_name(const char *name)
{
	for (int i = 0; i < ST_DTYPE_COUNT; i++)
		if (!strcmp(dtypes[i].name, name))
			return i;
	return ST_DTYPE_NONE;
}

size_t st_dtype_size(int dtype)
{
	return dtype >= 0 && dtype < ST_DTYPE_COUNT ? dtypes[dtype].size : 0;
}

int st_dtype_is_float(int dtype)
{
	return dtype == ST_F64 || dtype == ST_F32 || dtype == ST_F16 || dtype == ST_BF16;
}

/* ---- the header parser ---- */

struct jp {
	const char *start, *p, *end;
	int depth;
	const char *file;
	struct strbuf str; /* the last string read */
	int str_has_nul;
};

static int jp_fail(struct jp *j, const char *what)
{
	return err_set("%s: header is not valid JSON: %s at byte %zu", j->file, what,
		       (size_t)(8 + (j->p - j->start)));
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static void add_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xC0 | (cp >> 6)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xE0 | (cp >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	} else {
		strbuf_addch(sb, (int)(0xF0 | (cp >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3F)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	}
}

/* Read a string into j->str (decoded); j->str_has_nul if it holds U+0000. */
static int parse_string(struct jp *j)
{
	const char *start;

	strbuf_reset(&j->str);
	j->str_has_nul = 0;
	if (j->p >= j->end || *j->p != '"')
		return jp_fail(j, "expected a string");
	j->p++;
	for (;;) {
		start = j->p;
		while (j->p < j->end && *j->p != '"' && *j->p != '\\' &&
		       (unsigned char)*j->p >= 0x20)
			j->p++;
		strbuf_add(&j->str, start, (size_t)(j->p - start));
		if (j->p >= j->end)
			return jp_fail(j, "unterminated string");
		if (*j->p == '"') {
			j->p++;
			break;
		}
		if ((unsigned char)*j->p < 0x20)
			return jp_fail(j, "control character in string");
		/* a backslash */
		if (j->end - j->p < 2)
			return jp_fail(j, "unterminated string");
		j->p++;
		switch (*j->p++) {
		case '"':
			strbuf_addch(&j->str, '"');
			break;
		case '\\':
			strbuf_addch(&j->str, '\\');
			break;
		case '/':
			strbuf_addch(&j->str, '/');
			break;
		case 'b':
			strbuf_addch(&j->str, '\b');
			break;
		case 'f':
			strbuf_addch(&j->str, '\f');
			break;
		case 'n':
			strbuf_addch(&j->str, '\n');
			break;
		case 'r':
			strbuf_addch(&j->str, '\r');
			break;
		case 't':
			strbuf_addch(&j->str, '\t');
			break;
		case 'u': {
			unsigned cp, lo;
			if (j->end - j->p < 4 || hex4_value(j->p, &cp) < 0)
				return jp_fail(j, "bad \\u escape");
			j->p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return jp_fail(j, "lone surrogate in string");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
				    hex4_value(j->p + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
					return jp_fail(j, "lone surrogate in string");
				j->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (!cp)
				j->str_has_nul = 1;
			add_utf8(&j->str, cp);
			break;
		}
		default:
			return jp_fail(j, "bad escape in string");
		}
	}
	if (!utf8_valid(j->str.buf, j->str.len))
		return jp_fail(j, "string is not valid UTF-8");
	return 0;
}

/*
 * A JSON number. Sets *is_u64 and *v when it is a non-negative integer
 * that fits 64 bits (no fraction, no exponent), as serde's u64 wants.
 */
static int parse_number(struct jp *j, int *is_u64, uint64_t *v)
{
	int neg = 0, frac = 0, overflow = 0;
	uint64_t n = 0;

	if (j->p < j->end && *j->p == '-') {
		neg = 1;
		j->p++;
	}
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return jp_fail(j, "bad number");
	if (*j->p == '0' && j->end - j->p > 1 && j->p[1] >= '0' && j->p[1] <= '9')
		return jp_fail(j, "leading zero in number");
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		unsigned d = (unsigned)(*j->p - '0');
		if (n > (UINT64_MAX - d) / 10)
			overflow = 1;
		else
			n = n * 10 + d;
		j->p++;
	}
	if (j->p < j->end && *j->p == '.') {
		frac = 1;
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jp_fail(j, "bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		frac = 1;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jp_fail(j, "bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	*is_u64 = !neg && !frac && !overflow;
	*v = n;
	return 0;
}

static int skip_value(struct jp *j);

static int skip_container(struct jp *j, char close, int object)
{
	if (++j->depth > JSON_MAX_DEPTH)
		return jp_fail(j, "nested too deeply");
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (parse_string(j) < 0)
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return jp_fail(j, "expected ':'");
			j->p++;
			skip_ws(j);
		}
		if (skip_value(j) < 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		return jp_fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int skip_literal(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return jp_fail(j, "unexpected character");
	j->p += n;
	return 0;
}

static int skip_value(struct jp *j)
{
	int is_u64;
	uint64_t v;

	if (j->p >= j->end)
		return jp_fail(j, "unexpected end");
	switch (*j->p) {
	case '{':
		return skip_container(j, '}', 1);
	case '[':
		return skip_container(j, ']', 0);
	case '"':
		return parse_string(j);
	case 't':
		return skip_literal(j, "true");
	case 'f':
		return skip_literal(j, "false");
	case 'n':
		return skip_literal(j, "null");
	default:
		return parse_number(j, &is_u64, &v);
	}
}

/* ---- building the tensor table ---- */

struct builder {
	struct jp j;
	struct st_file *f;
	size_t alloc, meta_alloc;
	int seen_meta;
};

/* "<file>: tensor '<name>': <rule>" */
static int tensor_fail(struct builder *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int tensor_fail(struct builder *b, const char *name, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	err_set("%s: tensor '%s': %s", b->j.file, name, sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* An array of u64 into *out (malloc'd), count in *n. */
static int parse_u64_array(struct builder *b, const char *name, const char *field, uint64_t **out,
			   size_t *n)
{
	struct jp *j = &b->j;
	size_t alloc = 0;

	*out = NULL;
	*n = 0;
	if (j->p >= j->end || *j->p != '[')
		return tensor_fail(b, name, "%s is not an array of non-negative integers", field);
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		int is_u64;
		uint64_t v;
		if (j->p >= j->end || !(*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))) {
			free(*out);
			*out = NULL;
			return tensor_fail(b, name, "%s is not an array of non-negative integers",
					   field);
		}
		if (parse_number(j, &is_u64, &v) < 0) {
			free(*out);
			*out = NULL;
			return -1;
		}
		if (!is_u64) {
			free(*out);
			*out = NULL;
			return tensor_fail(b, name, "%s is not an array of non-negative integers",
					   field);
		}
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = v;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		free(*out);
		*out = NULL;
		return jp_fail(j, "expected ',' or ']'");
	}
}

static int parse_metadata(struct builder *b)
{
	struct jp *j = &b->j;
	struct st_file *f = b->f;

	if (b->seen_meta)
		return err_set("%s: duplicate __metadata__ in header", j->file);
	b->seen_meta = 1;
	if (j->p < j->end && *j->p == 'n')
		return skip_literal(j, "null"); /* serde's Option: null is no metadata */
	if (j->p >= j->end || *j->p != '{')
		return err_set("%s: __metadata__ is not an object of strings", j->file);
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		char *key;
		if (parse_string(j) < 0)
			return -1;
		key = xstrdup(j->str.buf);
		for (size_t i = 0; i < f->meta_nr; i++)
			if (!strcmp(f->meta[i].key, key)) {
				err_set("%s: duplicate __metadata__ key '%s'", j->file, key);
				free(key);
				return -1;
			}
		skip_ws(j);
		if (j->p >= j->end || *j->p != ':') {
			free(key);
			return jp_fail(j, "expected ':'");
		}
		j->p++;
		skip_ws(j);
		if (j->p >= j->end || *j->p != '"') {
			err_set("%s: __metadata__ value '%s' is not a string (__metadata__ "
				"holds strings only)",
				j->file, key);
			free(key);
			return -1;
		}
		if (parse_string(j) < 0) {
			free(key);
			return -1;
		}
		ALLOC_GROW(f->meta, f->meta_nr + 1, b->meta_alloc);
		f->meta[f->meta_nr].key = key;
		f->meta[f->meta_nr].value = xstrndup(j->str.buf, j->str.len);
		f->meta_nr++;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return 0;
		}
		return jp_fail(j, "expected ',' or '}'");
	}
}

/* {"dtype": ..., "shape": [...], "data_offsets": [b, e]} for tensor t. */
static int parse_tensor_info(struct builder *b, struct st_tensor *t)
{
	struct jp *j = &b->j;
	int have_dtype = 0, have_shape = 0, have_offsets = 0;

	if (j->p >= j->end || *j->p != '{')
		return tensor_fail(b, t->name, "tensor info is not an object");
	if (++j->depth > JSON_MAX_DEPTH)
		return jp_fail(j, "nested too deeply");
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		goto done;
	}
	for (;;) {
		char field[16];
		if (parse_string(j) < 0)
			return -1;
		/* "dtype\u0000x" is an unknown field, not dtype */
		snprintf(field, sizeof(field), "%s",
			 j->str.len < sizeof(field) && !j->str_has_nul ? j->str.buf : "");
		skip_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return jp_fail(j, "expected ':'");
		j->p++;
		skip_ws(j);
		if (!strcmp(field, "dtype")) {
			if (have_dtype++)
				return tensor_fail(b, t->name, "duplicate field 'dtype'");
			if (j->p >= j->end || *j->p != '"')
				return tensor_fail(b, t->name, "dtype is not a string");
			if (parse_string(j) < 0)
				return -1;
			t->dtype = st_dtype_from_name(j->str.buf);
			if (t->dtype == ST_DTYPE_NONE || strlen(j->str.buf) != j->str.len) {
				struct strbuf q = STRBUF_INIT;
				json_quote(&q, j->str.buf, j->str.len);
				tensor_fail(b, t->name, "unknown dtype %s", q.buf);
				strbuf_release(&q);
				return -1;
			}
		} else if (!strcmp(field, "shape")) {
			if (have_shape++)
				return tensor_fail(b, t->name, "duplicate field 'shape'");
			if (parse_u64_array(b, t->name, "shape", &t->shape, &t->ndim) < 0)
				return -1;
		} else if (!strcmp(field, "data_offsets")) {
			uint64_t *o;
			size_t n;
			if (have_offsets++)
				return tensor_fail(b, t->name, "duplicate field 'data_offsets'");
			if (parse_u64_array(b, t->name, "data_offsets", &o, &n) < 0)
				return -1;
			if (n != 2) {
				free(o);
				return tensor_fail(b, t->name, "data_offsets has %zu values, not 2",
						   n);
			}
			t->begin = o[0];
			t->end = o[1];
			free(o);
		} else if (skip_value(j) < 0) {
			return -1; /* unknown fields are ignored, as serde does */
		}
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		}
		return jp_fail(j, "expected ',' or '}'");
	}
done:
	j->depth--;
	if (!have_dtype)
		return tensor_fail(b, t->name, "missing field 'dtype'");
	if (!have_shape)
		return tensor_fail(b, t->name, "missing field 'shape'");
	if (!have_offsets)
		return tensor_fail(b, t->name, "missing field 'data_offsets'");
	return 0;
}

static int cmp_name(const void *a, const void *b, void *arg)
{
	const struct st_file *f = arg;
	return strcmp(f->tensors[*(const size_t *)a].name, f->tensors[*(const size_t *)b].name);
}

static int cmp_begin(const void *a, const void *b, void *arg)
{
	const struct st_file *f = arg;
	const struct st_tensor *x = &f->tensors[*(const size_t *)a];
	const struct st_tensor *y = &f->tensors[*(const size_t *)b];
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void sort_indices(struct st_file *f, size_t *idx,
			 int (*cmp)(const void *, const void *, void *))
{
	for (size_t i = 0; i < f->nr; i++)
		idx[i] = i;
	qsort_r(idx, f->nr, sizeof(*idx), cmp, f);
}

/* The checks that need the whole table: sizes, layout, names. */
static int validate_layout(struct builder *b)
{
	struct st_file *f = b->f;
	size_t *order;
	uint64_t expect = 0;

	for (size_t i = 0; i < f->nr; i++) {
		struct st_tensor *t = &f->tensors[i];
		uint64_t n = 1, bytes;
		int overflow = 0;
		for (size_t d = 0; d < t->ndim; d++)
			if (__builtin_mul_overflow(n, t->shape[d], &n))
				overflow = 1;
		if (overflow ||
		    __builtin_mul_overflow(n, (uint64_t)st_dtype_size(t->dtype), &bytes))
			return tensor_fail(b, t->name,
					   "shape overflows 64 bits (shape times "
					   "dtype size must equal the data_offsets range)");
		t->nelem = n;
		if (t->end < t->begin)
			return tensor_fail(
				b, t->name, "data_offsets [%llu, %llu] end before they begin",
				(unsigned long long)t->begin, (unsigned long long)t->end);
		if (t->end - t->begin != bytes)
			return tensor_fail(b, t->name,
					   "shape times dtype size is %llu bytes but data_offsets "
					   "[%llu, %llu] "
					   "hold %llu",
					   (unsigned long long)bytes, (unsigned long long)t->begin,
					   (unsigned long long)t->end,
					   (unsigned long long)(t->end - t->begin));
	}

	/* names: sorted index, duplicates adjacent */
	sort_indices(f, f->by_name, cmp_name);
	for (size_t i = 1; i < f->nr; i++)
		if (!strcmp(f->tensors[f->by_name[i]].name, f->tensors[f->by_name[i - 1]].name))
			return tensor_fail(b, f->tensors[f->by_name[i]].name,
					   "duplicate tensor name");

	order = xmalloc((f->nr ? f->nr : 1) * sizeof(*order));
	sort_indices(f, order, cmp_begin);
	for (size_t i = 0; i < f->nr; i++) {
		struct st_tensor *t = &f->tensors[order[i]];
		if (t->begin != expect) {
			tensor_fail(b, t->name,
				    "data_offsets [%llu, %llu] %s: ranges must be contiguous "
				    "from 0 (expected to begin at %llu)",
				    (unsigned long long)t->begin, (unsigned long long)t->end,
				    t->begin > expect ? "leave a hole" : "overlap another tensor",
				    (unsigned long long)expect);
			free(order);
			return -1;
		}
		expect = t->end;
	}
	if (expect != f->data_len) {
		if (f->nr)
			tensor_fail(b, f->tensors[order[f->nr - 1]].name,
				    "last range ends at %llu but the data section has %llu bytes "
				    "(the last range must end at the end of the file)",
				    (unsigned long long)expect, (unsigned long long)f->data_len);
		else
			err_set("%s: no tensors but %llu bytes of data (the last range must end "
				"at the end of the file)",
				b->j.file, (unsigned long long)f->data_len);
		free(order);
		return -1;
	}
	free(order);
	return 0;
}

static int parse_header(struct builder *b)
{
	struct jp *j = &b->j;
	struct st_file *f = b->f;

	/* as the reference: the header starts with '{' (trailing spaces pad it) */
	if (j->p >= j->end || *j->p != '{')
		return err_set("%s: header is not a JSON object (it must start with '{')", j->file);
	j->p++;
	j->depth = 1;
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
	} else {
		for (;;) {
			struct st_tensor *t;
			if (parse_string(j) < 0)
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return jp_fail(j, "expected ':'");
			j->p++;
			skip_ws(j);
			if (!j->str_has_nul && !strcmp(j->str.buf, "__metadata__")) {
				if (parse_metadata(b) < 0)
					return -1;
			} else {
				if (j->str_has_nul) {
					struct strbuf q = STRBUF_INIT;
					json_quote(&q, j->str.buf, j->str.len);
					err_set("%s: tensor %s: tensor name contains NUL", j->file,
						q.buf);
					strbuf_release(&q);
					return -1;
				}
				ALLOC_GROW(f->tensors, f->nr + 1, b->alloc);
				t = &f->tensors[f->nr++];
				memset(t, 0, sizeof(*t));
				t->name = xstrdup(j->str.buf);
				t->dtype = ST_DTYPE_NONE;
				if (parse_tensor_info(b, t) < 0)
					return -1;
			}
			skip_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				skip_ws(j);
				continue;
			}
			if (j->p < j->end && *j->p == '}') {
				j->p++;
				break;
			}
			return jp_fail(j, "expected ',' or '}'");
		}
	}
	skip_ws(j);
	if (j->p != j->end)
		return jp_fail(j, "trailing characters after the header object");
	f->by_name = xmalloc((f->nr ? f->nr : 1) * sizeof(*f->by_name));
	return validate_layout(b);
}

int st_parse(struct st_file **out, const char *name, const unsigned char *buf, size_t len)
{
	struct st_file *f = xcalloc(1, sizeof(*f));
	struct builder b;
	uint64_t hlen;
	int ret;

	*out = NULL;
	f->path = xstrdup(name);
	if (len < 8) {
		err_set("%s: file too short for the 8-byte header length (%zu bytes)", name, len);
		st_close(f);
		return -1;
	}
	hlen = 0;
	for (int i = 7; i >= 0; i--)
		hlen = (hlen << 8) | buf[i];
	if (hlen > ST_MAX_HEADER) {
		err_set("%s: header length %llu exceeds the limit of %llu bytes", name,
			(unsigned long long)hlen, ST_MAX_HEADER);
		st_close(f);
		return -1;
	}
	if (hlen > len - 8) {
		err_set("%s: header length %llu runs past the end of the file (%zu bytes)", name,
			(unsigned long long)hlen, len);
		st_close(f);
		return -1;
	}
	f->data = buf + 8 + hlen;
	f->data_len = len - 8 - hlen;

	memset(&b, 0, sizeof(b));
	b.f = f;
	b.j.start = b.j.p = (const char *)buf + 8;
	b.j.end = b.j.p + hlen;
	b.j.file = f->path;
	strbuf_init(&b.j.str, 0);
	ret = parse_header(&b);
	strbuf_release(&b.j.str);
	if (ret < 0) {
		st_close(f);
		return -1;
	}
	*out = f;
	return 0;
}

int st_open(struct st_file **out, const char *path)
{
	struct stat st;
	void *map = NULL;
	int fd;
	size_t len;

	*out = NULL;
	/* NONBLOCK: a FIFO must not hang us waiting for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_set("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err_set("cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set("%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return err_set("%s: too large to map", path);
	}
	len = (size_t)st.st_size;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			err_set("cannot map '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		madvise(map, len, MADV_SEQUENTIAL);
	}
	close(fd);
	if (st_parse(out, path, map ? map : (const void *)"", len) < 0) {
		if (map)
			munmap(map, len);
		return -1;
	}
	(*out)->map = map;
	(*out)->map_len = len;
	return 0;
}

void st_close(struct st_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr; i++) {
		free(f->tensors[i].name);
		free(f->tensors[i].shape);
	}
	free(f->tensors);
	for (size_t i = 0; i < f->meta_nr; i++) {
		free(f->meta[i].key);
		free(f->meta[i].value);
	}
	free(f->meta);
	free(f->by_name);
	if (f->map)
		munmap(f->map, f->map_len);
	free(f->path);
	free(f);
}

const struct st_tensor *st_find(const struct st_file *f, const char *name)
{
	size_t lo = 0, hi = f->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->tensors[f->by_name[mid]].name, name);
		if (!c)
			return &f->tensors[f->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *st_meta_get(const struct st_file *f, const char *key)
{
	for (size_t i = 0; i < f->meta_nr; i++)
		if (!strcmp(f->meta[i].key, key))
			return f->meta[i].value;
	return NULL;
}

/* ---- guarded reads (see safetensors.h) ---- */

static __thread struct st_guard *guard_top;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void bus_handler(int sig, siginfo_t *si, void *uc)
{
	struct st_guard *g = guard_top;
	(void)uc;
	if (!g) {
		/* not ours: the default action, on the fault's return */
		signal(sig, SIG_DFL);
		return;
	}
	g->addr = si->si_addr;
	siglongjmp(g->jb, 1);
}

static void guard_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = bus_handler;
	/* NODEFER: sigsetjmp(jb, 0) does not restore the mask after a jump */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

void st_guard_push(struct st_guard *g)
{
	pthread_once(&guard_once, guard_install);
	g->addr = NULL;
	g->prev = guard_top;
	guard_top = g;
}

void st_guard_pop(struct st_guard *g)
{
	guard_top = g->prev;
}

int st_guard_error(const struct st_guard *g, struct st_file *const *files, size_t nr)
{
	const char *name = nr ? files[0]->path : "an input";
	uintptr_t a = (uintptr_t)g->addr;
	for (size_t i = 0; i < nr; i++) {
		uintptr_t lo = (uintptr_t)files[i]->map;
		if (lo && a >= lo && a - lo < files[i]->map_len) {
			name = files[i]->path;
			break;
		}
	}
	return err_set("'%s' changed while it was read (truncated?): its data is gone", name);
}

void st_release(const struct st_file *f, uint64_t off, uint64_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo, hi, mlo, mhi;

	if (!f->map || !len)
		return;
	lo = (uintptr_t)(f->data + off);
	hi = lo + len;
	mlo = (uintptr_t)f->map;
	mhi = mlo + f->map_len;
	/* only whole pages inside the range, so neighbours stay mapped */
	lo = (lo + page - 1) & ~(page - 1);
	hi &= ~(page - 1);
	if (lo < mlo)
		lo = mlo;
	if (hi > mhi)
		hi = mhi;
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* ---- writing ---- */

struct st_writer {
	char *path, *tmp;
	int fd;
	uint64_t expect, written, flushed;
};

int st_writer_begin(struct st_writer **out, const char *path, struct st_out_tensor *t, size_t nr,
		    const struct st_meta *meta, size_t meta_nr)
{
	struct st_writer *w;
	struct strbuf hdr = STRBUF_INIT;
	struct json_writer jw;
	uint64_t off = 0;
	unsigned char len8[8];

	*out = NULL;
	jw_init(&jw, &hdr, 0);
	jw_object_begin(&jw);
	if (meta_nr) {
		jw_key(&jw, "__metadata__");
		jw_object_begin(&jw);
		for (size_t i = 0; i < meta_nr; i++) {
			jw_key(&jw, meta[i].key);
			jw_string(&jw, meta[i].value);
		}
		jw_object_end(&jw);
	}
	for (size_t i = 0; i < nr; i++) {
		uint64_t n = 1;
		for (size_t d = 0; d < t[i].ndim; d++)
			if (__builtin_mul_overflow(n, t[i].shape[d], &n)) {
				strbuf_release(&hdr);
				return err_set("tensor '%s': shape overflows", t[i].name);
			}
		if (__builtin_mul_overflow(n, (uint64_t)st_dtype_size(t[i].dtype), &n) ||
		    __builtin_add_overflow(off, n, &n)) {
			strbuf_release(&hdr);
			return err_set("tensor '%s': too large", t[i].name);
		}
		jw_key(&jw, t[i].name);
		jw_object_begin(&jw);
		jw_key(&jw, "dtype");
		jw_string(&jw, st_dtype_name(t[i].dtype));
		jw_key(&jw, "shape");
		jw_array_begin(&jw);
		for (size_t d = 0; d < t[i].ndim; d++)
			jw_int(&jw, (int64_t)t[i].shape[d]);
		jw_array_end(&jw);
		jw_key(&jw, "data_offsets");
		jw_array_begin(&jw);
		jw_int(&jw, (int64_t)off);
		jw_int(&jw, (int64_t)n);
		jw_array_end(&jw);
		jw_object_end(&jw);
		t[i].nbytes = n - off;
		t[i].offset = off; /* made absolute below */
		off = n;
	}
	jw_object_end(&jw);
	while (hdr.len % 8)
		strbuf_addch(&hdr, ' ');
	if (hdr.len > ST_MAX_HEADER) {
		strbuf_release(&hdr);
		return err_set("%s: header would exceed %llu bytes", path, ST_MAX_HEADER);
	}
	for (size_t i = 0; i < nr; i++)
		t[i].offset += 8 + hdr.len;

	w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	w->tmp = tempfile_create(path, &w->fd);
	if (!w->tmp) {
		free(w->path);
		free(w);
		strbuf_release(&hdr);
		return -1;
	}
	for (int i = 0; i < 8; i++)
		len8[i] = (unsigned char)((uint64_t)hdr.len >> (8 * i));
	w->expect = 8 + hdr.len + off;
	if (write_in_full(w->fd, len8, 8, w->tmp) < 0 ||
	    write_in_full(w->fd, hdr.buf, hdr.len, w->tmp) < 0) {
		strbuf_release(&hdr);
		st_writer_abort(w);
		return -1;
	}
	w->written = 8 + hdr.len;
	strbuf_release(&hdr);
	/* reserve the space up front: ENOSPC now rather than half-way */
	if (off && posix_fallocate(w->fd, 0, (off_t)w->expect) == ENOSPC) {
		err_set("cannot write '%s': %s", w->tmp, strerror(ENOSPC));
		st_writer_abort(w);
		return -1;
	}
	*out = w;
	return 0;
}

int st_writer_fd(struct st_writer *w)
{
	return w->fd;
}

int st_writer_write(struct st_writer *w, const void *buf, size_t len)
{
	if (write_in_full(w->fd, buf, len, w->tmp) < 0)
		return -1;
	w->written += len;
	return 0;
}

void st_writer_account(struct st_writer *w, uint64_t len)
{
	__atomic_add_fetch(&w->written, len, __ATOMIC_RELAXED);
}

void st_writer_flush_hint(struct st_writer *w)
{
	sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int st_writer_commit(struct st_writer *w)
{
	int ret = -1;
	if (w->written != w->expect) {
		err_set("internal error: wrote %llu bytes to '%s', expected %llu",
			(unsigned long long)w->written, w->tmp, (unsigned long long)w->expect);
		goto out;
	}
	if (fsync(w->fd) < 0) {
		err_set("cannot sync '%s': %s", w->tmp, strerror(errno));
		goto out;
	}
	if (close(w->fd) < 0) {
		w->fd = -1;
		err_set("cannot write '%s': %s", w->tmp, strerror(errno));
		goto out;
	}
	w->fd = -1;
	if (rename(w->tmp, w->path) < 0) {
		err_set("cannot rename '%s' to '%s': %s", w->tmp, w->path, strerror(errno));
		goto out;
	}
	tempfile_forget(w->tmp);
	fsync_parent_dir(w->path);
	free(w->tmp);
	w->tmp = NULL;
	ret = 0;
out:
	st_writer_abort(w);
	return ret;
}

void st_writer_abort(struct st_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp) {
		unlink(w->tmp);
		tempfile_forget(w->tmp);
	}
	free(w->tmp);
	free(w->path);
	free(w);
}
