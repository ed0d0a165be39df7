/*
 * Unit tests for code likeness (likeness.c): the score's bounds and the
 * changes it must and must not notice.
 */
#include "common/likeness.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static double score(const char *lang, const char *a, const char *b)
{
	struct code_features fa = CODE_FEATURES_INIT, fb = CODE_FEATURES_INIT;
	double s;

	code_features_compute(&fa, lang, a, strlen(a));
	code_features_compute(&fb, lang, b, strlen(b));
	s = code_likeness(&fa, &fb);
	code_features_release(&fa);
	code_features_release(&fb);
	return s;
}

static const char *fn =
	"int sum(const int *v, size_t n)\n{\n\tint total = 0;\n"
	"\tfor (size_t i = 0; i < n; i++)\n\t\ttotal += v[i];\n\treturn total;\n}\n";

/* 1 if code_sketch_compute() gives code_sketch() of the full features */
static int same_sketch(const char *lang, const char *code, size_t len)
{
	struct code_features f = CODE_FEATURES_INIT;
	uint32_t a[SKETCH_MAX], b[SKETCH_MAX];
	size_t na, nb;

	code_features_compute(&f, lang, code, len);
	na = code_sketch(&f, a);
	code_features_release(&f);
	nb = code_sketch_compute(lang, code, len, b);
	return na == nb && !memcmp(a, b, na * sizeof(*a));
}

/* Code of n tokens drawn from a small vocabulary (names repeat, as in code). */
static char *random_code(unsigned *seed, size_t n, size_t *len)
{
	static const char *const vocab[] = {
		"int", "x", "y", "total", "i", "n", "v[i]", "=", "+=", ";", "(", ")", "{", "}",
		"return", "if", "for", "while", "42", "0x1f", "\"str\"", "'c'", "// note\n",
		"/* block */", "\n", "def", ":", "self.value", "None", "else", "->", "buf",
		"len", "<", ">=", "&&", "||", "!", "*p", "&q", "#define", "0", "1", "7",
	};
	size_t nv = sizeof(vocab) / sizeof(*vocab), i, at = 0, alloc = n * 16 + 1;
	char *out = malloc(alloc);

	for (i = 0; i < n; i++) {
		const char *w;
		*seed = *seed * 1103515245u + 12345u;
		w = vocab[(*seed >> 16) % nv];
		at += (size_t)snprintf(out + at, alloc - at, "%s ", w);
	}
	*len = at;
	return out;
}

int main(void)
{
	struct code_features f = CODE_FEATURES_INIT;
	uint32_t sketch[SKETCH_MAX], *keys;
	size_t n, k, i;
	double s;

	(void)is_str;
	is_num(score("c", fn, fn), 1, "the same code scores 1");
	is_num(score("c", fn,
		     "/* add them up */ int sum(const int *v,size_t n){int total=0;"
		     "for(size_t i=0;i<n;i++) total+=v[i]; // all\nreturn total;}"),
	       1, "layout and comments do not count");
	s = score("c", fn,
		  "int add_all(const int *xs, size_t len)\n{\n\tint acc = 7;\n"
		  "\tfor (size_t j = 7; j < len; j++)\n\t\tacc += xs[j];\n\treturn acc;\n}\n");
	ok(s >= LIKENESS_SHAPE_WEIGHT && s < 1, "a consistent rename and new literals cost at most the words' share");
	s = score("c", fn,
		  "int sum(const int *v, size_t n)\n{\n\tint total = 0;\n"
		  "\tfor (size_t i = 0; i < n; i++)\n\t\ttotal += v[i];\n"
		  "\tlog_total(total);\n\treturn total;\n}\n");
	ok(s > 0.6 && s < 1, "an added statement costs a part");
	s = score("c", fn, "switch (state) { case IDLE: return \"idle\"; default: break; }");
	ok(s < 0.2, "unrelated code scores low");
	is_num(score("c", fn, "x"), score("c", "x", fn), "the score is symmetric");
	is_num(score("c", fn, ""), 0, "no tokens, no likeness");
	is_num(score("c", "/* only a comment */", "/* another */"), 0, "comments are no tokens");
	is_num(score("python", "x = 1", "x = 1  # one"), 1, "python comments do not count");

	code_features_compute(&f, "c", fn, strlen(fn));
	n = code_sketch(&f, sketch);
	ok(n > 0 && n <= SKETCH_MAX, "a sketch is at most SKETCH_MAX features");
	for (i = 1, k = 0; i < n; i++)
		k += sketch[i - 1] >= sketch[i]; /* shape hashes sort below word hashes */
	ok(!k, "the sketch is sorted and distinct");
	k = code_feature_keys(&f, &keys);
	ok(k >= n, "the query keys include at least the sketch's count");
	{
		size_t missing = 0;
		for (i = 0; i < n; i++) {
			size_t j = 0;
			while (j < k && keys[j] != sketch[i])
				j++;
			missing += j == k;
		}
		ok(!missing, "every sketch feature is among the query keys");
	}
	free(keys);
	code_features_release(&f);

	{
		static const char *const langs[] = { "c", "python", "javascript", "go", "" };
		static const size_t sizes[] = { 0, 1, 3, 4, 5, 6, 20, 200, 3000, 25000 };
		unsigned seed = 7;
		size_t differ = 0, tried = 0, li, si, len;
		for (li = 0; li < sizeof(langs) / sizeof(*langs); li++)
			for (si = 0; si < sizeof(sizes) / sizeof(*sizes); si++) {
				char *code = random_code(&seed, sizes[si], &len);
				differ += !same_sketch(langs[li], code, len);
				/* and as arbitrary bytes */
				for (i = 0; i < len; i++)
					code[i] = (char)(code[i] ^ (char)(i * 37));
				differ += !same_sketch(langs[li], code, len);
				tried += 2;
				free(code);
			}
		differ += !same_sketch("c", fn, strlen(fn));
		differ += !same_sketch("c", "", 0);
		differ += !same_sketch("c", "/* only a comment */", 20);
		ok(!differ && tried, "code_sketch_compute() is code_sketch() of the features");
	}
	return done_testing();
}
