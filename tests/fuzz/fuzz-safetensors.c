/*
 * fuzz-safetensors: libFuzzer target for the safetensors header parser and
 * layout validation (st_parse). Built and run by "make fuzz" with
 * clang -fsanitize=fuzzer,address,undefined.
 *
 * Besides not crashing, an accepted file must keep the invariants the
 * merge engine relies on: every tensor's range lies inside the data
 * section and matches its shape, and lookup by name finds each tensor.
 */
#include "fusion/safetensors.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_file *f;
	uint64_t total = 0;

	if (st_parse(&f, "fuzz", data, size) < 0)
		return 0;
	for (size_t i = 0; i < f->nr; i++) {
		const struct st_tensor *t = &f->tensors[i];
		if (t->begin > t->end || t->end > f->data_len ||
		    t->end - t->begin != t->nelem * st_dtype_size(t->dtype) ||
		    st_find(f, t->name) != t)
			abort();
		total += t->end - t->begin;
		/* touch the first and last byte of every range */
		if (t->end > t->begin) {
			volatile unsigned char c = st_tensor_data(f, t)[0];
			c = st_tensor_data(f, t)[t->end - t->begin - 1];
			(void)c;
		}
	}
	if (total != f->data_len)
		abort();
	for (size_t i = 0; i < f->meta_nr; i++)
		if (st_meta_get(f, f->meta[i].key) != f->meta[i].value)
			abort();
	st_close(f);
	return 0;
}
