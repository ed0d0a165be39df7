/*
 * merge: the weight-fusion engine (SPEC §7). Merges LoRA adapters
 * (safetensors files or PEFT folders) into one, by
 *
 *   linear  every tensor is sum(w_i * t_i); a tensor that only some
 *           adapters have is merged over those, weights renormalised (a
 *           warning names it); shapes must agree.
 *   cat     exact: for each LoRA pair (…lora_A.weight [r, in],
 *           …lora_B.weight [out, r]) the A_i scaled by w_i*s_i are stacked
 *           along the rank and the B_i set side by side, so
 *           B·A = sum(w_i * s_i * B_i·A_i); s_i = lora_alpha/r (or
 *           /sqrt(r) with use_rslora). Ranks may differ. The written
 *           adapter_config.json has r = lora_alpha = the summed rank.
 *   svd     the same exact weighted delta, truncated to rank r by SVD
 *           (LAPACK, through QR of the stacked factors, never forming the
 *           out x in delta).
 * In cat and svd an adapter without a given pair contributes no delta
 * (no renormalisation: the sum of deltas is exact); tensors that are not
 * LoRA pairs (biases, modules_to_save) are merged as in linear.
 *
 * Arithmetic is in f32 (f64 when an input or the output is F64); output
 * dtype is the inputs' (the widest when they differ, F32 for F16 + BF16)
 * unless o->dtype. Linear merging streams: inputs are mapped, tensors
 * processed in chunks by a few threads and written at their place in the
 * output, so memory stays bounded whatever the tensor sizes. cat and svd
 * hold one LoRA pair at a time.
 *
 * The engine prints nothing, touches no store and knows no repository:
 * warnings and progress go to callbacks; errors are returned via err_set().
 */
#ifndef MERGE_H
#define MERGE_H

#include <stddef.h>
#include <stdint.h>

enum merge_method { MERGE_LINEAR, MERGE_CAT, MERGE_SVD };

/* Returned (instead of -1) for errors in the request itself: weights
 * count, zero weight sum, output equal to an input, bad method. */
#define MERGE_EUSAGE (-2)

struct merge_options {
	const char *const *adapters; /* files or PEFT folders */
	size_t nr;
	const double *weights;	     /* NULL: success_rates, or equal */
	const double *success_rates; /* NULL: weights, or equal */
	enum merge_method method;
	/*
	 * A .safetensors path, or a folder (existing, or ending in '/'),
	 * which receives adapter_model.safetensors and adapter_config.json.
	 */
	const char *output;
	int dtype;   /* ST_F32/F16/BF16/F64, or ST_DTYPE_NONE: as the inputs */
	int rank;    /* svd: target rank; 0: the largest input rank */
	int threads; /* 0: the number of CPUs, at most 4 */
	/* Names recorded as parents (e.g. version names); NULL: the paths. */
	const char *const *parent_names;
	void (*warn)(void *data, const char *msg);
	void (*progress)(void *data, uint64_t done, uint64_t total);
	void *cb_data;
};

struct merge_result {
	double *weights; /* normalised, one per adapter */
	char *output;	 /* the safetensors file written */
	char *config;	 /* the adapter_config.json written, or NULL */
	char *meta;	 /* <output>.meta.json */
	size_t tensors;
	uint64_t bytes;
	int rank; /* cat/svd: the rank written */
};

const char *merge_method_name(enum merge_method m);
/* The method called s, or -1. */
int merge_method_from_name(const char *s);

/*
 * Normalise weights (or success rates) for nr adapters into out: w_i/sum,
 * r_i/sum, or 1/nr when both are NULL. MERGE_EUSAGE with err_set when
 * both are given, the sum is zero or not finite, or a rate is negative.
 */
int merge_normalise_weights(const double *weights, const double *rates, size_t nr, double *out);

/* Merge; 0, -1 (err_set) or MERGE_EUSAGE. Nothing is left behind on error. */
int merge_adapters(const struct merge_options *o, struct merge_result *res);
void merge_result_release(struct merge_result *r);

#endif
