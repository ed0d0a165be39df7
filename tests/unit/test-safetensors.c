/*
 * test-safetensors: the safetensors parser's validation rules, the
 * writer round trip, and the F16/BF16 conversions.
 */
#include "fusion/fp16.h"
#include "fusion/safetensors.h"
#include "common/strbuf.h"
#include "tap.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A file image: header JSON, then datalen bytes of data. */
static struct strbuf image(const char *json, size_t datalen)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t n = strlen(json);
	for (int i = 0; i < 8; i++)
		strbuf_addch(&sb, (int)((n >> (8 * i)) & 0xff));
	strbuf_addstr(&sb, json);
	for (size_t i = 0; i < datalen; i++)
		strbuf_addch(&sb, (int)i);
	return sb;
}

static int parses(const char *json, size_t datalen)
{
	struct strbuf sb = image(json, datalen);
	struct st_file *f;
	int ret = st_parse(&f, "t.safetensors", (unsigned char *)sb.buf, sb.len);
	st_close(f);
	strbuf_release(&sb);
	return ret;
}

static void refused(const char *json, size_t datalen, const char *want, const char *what)
{
	int ret = parses(json, datalen);
	const char *msg = err_msg();
	int good = ret < 0 && strstr(msg, want) && strstr(msg, "t.safetensors");
	if (!ok(good, what))
		printf("#   ret %d, message: %s\n#   wanted: %s\n", ret, msg, want);
}

int main(void)
{
	struct st_file *f;
	struct strbuf sb;

	/* valid files */
	ok(parses("{}", 0) == 0, "empty header, no data");
	ok(parses("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}  ", 4) == 0,
	   "one tensor, trailing spaces");
	ok(parses("{\"__metadata__\":{\"k\":\"v\"},\"s\":{\"dtype\":\"F32\",\"shape\":[],"
		  "\"data_offsets\":[0,4]},\"z\":{\"dtype\":\"U8\",\"shape\":[0,5],"
		  "\"data_offsets\":[4,4]}}",
		  4) == 0,
	   "metadata, a scalar and an empty tensor");

	sb = image("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
		   "\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
		   "\"__metadata__\":{\"method\":\"linear\"}}",
		   8);
	ok(st_parse(&f, "t.safetensors", (unsigned char *)sb.buf, sb.len) == 0, "parse");
	ok(f && f->nr == 2 && st_find(f, "a") && st_find(f, "a")->dtype == ST_BF16 &&
		   st_find(f, "b")->begin == 4 && !st_find(f, "c"),
	   "tensors found by name");
	is_str(f ? st_meta_get(f, "method") : NULL, "linear", "metadata value");
	st_close(f);
	strbuf_release(&sb);

	/* every rule */
	{
		struct strbuf s = STRBUF_INIT;
		struct st_file *g;
		uint64_t n = 100000001;
		for (int i = 0; i < 8; i++)
			strbuf_addch(&s, (int)((n >> (8 * i)) & 0xff));
		ok(st_parse(&g, "t.safetensors", (unsigned char *)s.buf, s.len) < 0 &&
			   strstr(err_msg(), "exceeds the limit"),
		   "header length limit");
		strbuf_release(&s);
		ok(st_parse(&g, "t.safetensors", (unsigned char *)"abc", 3) < 0 &&
			   strstr(err_msg(), "too short"),
		   "file shorter than 8 bytes");
	}
	refused("[1,2]", 0, "not a JSON object", "header must be an object");
	refused(" {}", 0, "must start with '{'", "header starts with '{'");
	refused("{\"a\":{\"dtype\"", 0, "not valid JSON", "truncated JSON");
	refused("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
		"tensor 'a': unknown dtype \"Q4\"", "unknown dtype");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,4]}}", 4,
		"tensor 'a': shape times dtype size is 6 bytes", "size mismatch");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", 4,
		"tensor 'a': data_offsets [2, 4] leave a hole", "hole at the start");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
		"\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[2,6]}}",
		6, "tensor 'b': data_offsets [2, 6] overlap", "overlap");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 6,
		"tensor 'a': last range ends at 4 but the data section has 6", "trailing data");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
		"\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
		8, "tensor 'a': duplicate tensor name", "duplicate names");
	refused("{\"a\\u0000b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
		"name contains NUL", "NUL in a name");
	refused("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value 'k' is not a string",
		"metadata values are strings");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
		"shape is not an array of non-negative integers", "negative dimension");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[4294967296,4294967296],"
		"\"data_offsets\":[0,4]}}",
		4, "shape overflows", "shape product overflow");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[18446744073709551615,"
		"1]}}",
		4, "end before they begin", "reversed offsets");
	refused("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}"
		"}",
		4, "not an array of non-negative integers", "offset beyond 64 bits");
	refused("{\"a\":{\"shape\":[1],\"data_offsets\":[0,2]}}", 2, "missing field 'dtype'",
		"missing dtype");

	/* writer round trip */
	{
		char dir[] = "/tmp/test-st-XXXXXX", *path;
		uint64_t shape_a[] = {3}, shape_b[] = {2, 2};
		struct st_out_tensor t[] = {{"a", ST_F16, 1, shape_a, 0, 0},
					    {"b", ST_F32, 2, shape_b, 0, 0}};
		struct st_meta meta[] = {{"method", "linear"}};
		struct st_writer *w;
		unsigned char a[6] = {1, 2, 3, 4, 5, 6};
		float b[4] = {1, 2, 3, 4};
		struct st_file *g;
		int good;

		ok(mkdtemp(dir) != NULL, "temp dir");
		path = xstrfmt("%s/out.safetensors", dir);
		good = st_writer_begin(&w, path, t, 2, meta, 1) == 0 &&
		       st_writer_write(w, a, 6) == 0 && st_writer_write(w, b, 16) == 0 &&
		       st_writer_commit(w) == 0;
		ok(good, "write and commit");
		good = st_open(&g, path) == 0;
		ok(good, "written file validates");
		if (good) {
			ok((t[0].offset - 8) % 8 == 0 && t[1].offset == t[0].offset + 6,
			   "header padded to a multiple of 8");
			ok(!memcmp(st_tensor_data(g, st_find(g, "b")), b, 16), "data read back");
			is_str(st_meta_get(g, "method"), "linear", "metadata read back");
			st_close(g);
		}
		unlink(path);
		rmdir(dir);
		free(path);
	}

	/* conversions */
	{
		int bad = 0;
		for (unsigned h = 0; h < 65536; h++) {
			float v = f16_to_f32((uint16_t)h);
			if (isnan(v) ? !isnan(f16_to_f32(f32_to_f16(v))) : f32_to_f16(v) != h)
				bad++;
		}
		ok(!bad, "every F16 value round-trips through f32");
		ok(f32_to_f16(1.0f + 0x1p-11f) == 0x3C00, "tie rounds to even (down)");
		ok(f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3C02, "tie rounds to even (up)");
		ok(f32_to_f16(65520.0f) == 0x7C00 && f32_to_f16(65519.0f) == 0x7BFF,
		   "overflow to infinity at 65520");
		ok(f32_to_f16(0x1p-25f) == 0 && f32_to_f16(0x1p-24f) == 1 &&
			   f32_to_f16(3 * 0x1p-25f) == 2,
		   "subnormals round to even");
		ok(f32_to_bf16(1.0f) == 0x3F80 && bf16_to_f32(0x3F80) == 1.0f, "bf16 one");
		ok(f32_to_bf16(1.0f + 0x1p-8f) == 0x3F80 &&
			   f32_to_bf16(1.0f + 3 * 0x1p-8f) == 0x3F82,
		   "bf16 ties to even");
		ok(isnan(bf16_to_f32(f32_to_bf16(NAN))), "bf16 keeps NaN");
		is_num(f16_to_f32(0x3555), 0.333251953125, "f16 0x3555");
	}
	{
		/* the vector and scalar accumulations agree */
		uint16_t h[37];
		float acc[37], want[37];
		for (int i = 0; i < 37; i++) {
			h[i] = f32_to_f16((float)i * 0.37f - 5.0f);
			acc[i] = 1.0f;
			want[i] = 1.0f + 0.5f * f16_to_f32(h[i]);
		}
		fp_axpy_f32(acc, 0.5f, h, ST_F16, 37);
		ok(!memcmp(acc, want, sizeof(acc)), "F16 axpy matches scalar");
	}
	return done_testing();
}
