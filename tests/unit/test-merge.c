/*
 * test-merge: weight normalisation and method names of the merge engine
 * (the numerics are checked end to end by t3000/t3001 against NumPy).
 */
#include "fusion/merge.h"
#include "tap.h"
#include "common/util.h"

#include <string.h>

int main(void)
{
	double out[3];
	const double w[] = {1, 2, 1}, rates[] = {0.9, 0.6, 0.3}, zero[] = {1, -1, 0};
	const double neg[] = {0.5, -0.1, 0.2};

	ok(merge_normalise_weights(NULL, NULL, 3, out) == 0, "no weights: equal");
	is_num(out[0] + out[1] + out[2], 1.0, "equal weights sum to 1");
	is_num(out[1], 1.0 / 3, "each 1/3");
	ok(merge_normalise_weights(w, NULL, 3, out) == 0, "weights");
	ok(out[0] == 0.25 && out[1] == 0.5 && out[2] == 0.25, "weights / sum");
	ok(merge_normalise_weights(NULL, rates, 3, out) == 0, "success rates");
	ok(out[0] == 0.9 / 1.8 && out[2] == 0.3 / 1.8, "rates / sum");
	ok(merge_normalise_weights(zero, NULL, 3, out) == MERGE_EUSAGE &&
		   strstr(err_msg(), "sum to zero"),
	   "zero sum is a usage error");
	ok(merge_normalise_weights(NULL, neg, 3, out) == MERGE_EUSAGE &&
		   strstr(err_msg(), "success rate 2 is negative"),
	   "negative rate refused");
	ok(merge_normalise_weights(neg, NULL, 3, out) == 0, "negative weights are allowed");
	ok(merge_normalise_weights(w, rates, 3, out) == MERGE_EUSAGE, "both is a usage error");
	ok(merge_method_from_name("svd") == MERGE_SVD && merge_method_from_name("avg") < 0,
	   "method names");
	is_str(merge_method_name(MERGE_CAT), "cat", "method name");
	return done_testing();
}
