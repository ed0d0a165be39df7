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
	return done_testing();
}
