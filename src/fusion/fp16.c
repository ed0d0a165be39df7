/*
 * fp16.c: F16/BF16/F32/F64 conversions and the weighted accumulation
 * kernels of the merge engine (see fp16.h).
 */
#include "fusion/fp16.h"
#include "fusion/safetensors.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

float f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
	float f;

	if (exp == 0x1F) {
		bits = sign | 0x7F800000 | (man << 13) | (man ? 0x400000 : 0);
	} else if (exp) {
		bits = sign | ((exp + 112) << 23) | (man << 13);
	} else {
		/* zero or subnormal: man * 2^-24, exact in f32 */
		f = (float)man * 0x1p-24f;
		memcpy(&bits, &f, 4);
		bits |= sign;
	}
	memcpy(&f, &bits, 4);
	return f;
}

uint16_t f32_to_f16(float f)
{
	uint32_t x, sign, mag;
	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000;
	mag = x & 0x7FFFFFFF;
	if (mag > 0x7F800000) /* NaN: keep it quiet and non-zero */
		return (uint16_t)(sign | 0x7E00 | ((mag >> 13) & 0x3FF));
	if (mag >= 0x477FF000) /* rounds to >= 65520: infinity */
		return (uint16_t)(sign | 0x7C00);
	if (mag < 0x38800000) {
		/* subnormal or zero in f16: round mag * 2^24 to an integer, ties even */
		float a;
		uint32_t v;
		memcpy(&a, &mag, 4);
		a = a * 0x1p24f; /* exact: a < 2^10 */
		v = (uint32_t)a;
		{
			float rem = a - (float)v;
			if (rem > 0.5f || (rem == 0.5f && (v & 1)))
				v++;
		}
		return (uint16_t)(sign | v);
	}
	{
		/* normal: rebias and round the 13 dropped bits, ties to even */
		uint32_t r = mag - ((uint32_t)112 << 23);
		uint32_t keep = r >> 13, rest = r & 0x1FFF;
		if (rest > 0x1000 || (rest == 0x1000 && (keep & 1)))
			keep++; /* a carry into the exponent is right */
		return (uint16_t)(sign | keep);
	}
}

float bf16_to_f32(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;
	memcpy(&f, &bits, 4);
	return f;
}

uint16_t f32_to_bf16(float f)
{
	uint32_t x;
	memcpy(&x, &f, 4);
	if ((x & 0x7FFFFFFF) > 0x7F800000)
		return (uint16_t)((x >> 16) | 0x40);
	x += 0x7FFF + ((x >> 16) & 1);
	return (uint16_t)(x >> 16);
}

static inline uint16_t ld16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

#if defined(__x86_64__)
__attribute__((target("f16c,avx,fma"))) static void axpy_f16_f16c(float *acc, float w,
								  const unsigned char *s, size_t n)
{
	size_t i = 0;
	__m256 vw = _mm256_set1_ps(w);
	for (; i + 8 <= n; i += 8) {
		__m128i h = _mm_loadu_si128((const __m128i *)(s + 2 * i));
		__m256 x = _mm256_cvtph_ps(h);
		__m256 a = _mm256_loadu_ps(acc + i);
		_mm256_storeu_ps(acc + i, _mm256_fmadd_ps(vw, x, a));
	}
	for (; i < n; i++)
		acc[i] += w * f16_to_f32(ld16(s + 2 * i));
}

__attribute__((target("f16c,avx"))) static void store_f16_f16c(unsigned char *d, const float *s,
							       size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		__m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT);
		_mm_storeu_si128((__m128i *)(d + 2 * i), h);
	}
	for (; i < n; i++) {
		uint16_t v = f32_to_f16(s[i]);
		d[2 * i] = (unsigned char)v;
		d[2 * i + 1] = (unsigned char)(v >> 8);
	}
}

static int have_f16c(void)
{
	/* merge threads call this concurrently: an atomic, benign first race */
	static int cached = -1;
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (v < 0) {
		unsigned a, b, c, d;
		/* F16C from cpuid: clang before 16 has no "f16c" for __builtin_cpu_supports */
		v = __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma") &&
		    __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
		__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	}
	return v;
}
#endif

void fp_axpy_f32(float *acc, float w, const void *src, int dtype, size_t n)
{
	const unsigned char *s = src;
	switch (dtype) {
	case ST_F16:
#if defined(__x86_64__)
		if (have_f16c()) {
			axpy_f16_f16c(acc, w, s, n);
			break;
		}
#endif
		for (size_t i = 0; i < n; i++)
			acc[i] += w * f16_to_f32(ld16(s + 2 * i));
		break;
	case ST_BF16:
		for (size_t i = 0; i < n; i++)
			acc[i] += w * bf16_to_f32(ld16(s + 2 * i));
		break;
	case ST_F32:
		for (size_t i = 0; i < n; i++) {
			float v;
			memcpy(&v, s + 4 * i, 4);
			acc[i] += w * v;
		}
		break;
	case ST_F64:
		for (size_t i = 0; i < n; i++) {
			double v;
			memcpy(&v, s + 8 * i, 8);
			acc[i] += w * (float)v;
		}
		break;
	}
}

void fp_axpy_f64(double *acc, double w, const void *src, int dtype, size_t n)
{
	const unsigned char *s = src;
	for (size_t i = 0; i < n; i++) {
		double v;
		switch (dtype) {
		case ST_F16:
			v = f16_to_f32(ld16(s + 2 * i));
			break;
		case ST_BF16:
			v = bf16_to_f32(ld16(s + 2 * i));
			break;
		case ST_F32: {
			float f;
			memcpy(&f, s + 4 * i, 4);
			v = f;
			break;
		}
		default:
			memcpy(&v, s + 8 * i, 8);
			break;
		}
		acc[i] += w * v;
	}
}

void fp_load_f64(double *dst, const void *src, int dtype, size_t n)
{
	memset(dst, 0, n * sizeof(*dst));
	fp_axpy_f64(dst, 1.0, src, dtype, n);
}

void fp_store_f32(void *dst, int dtype, const float *src, size_t n)
{
	unsigned char *d = dst;
	switch (dtype) {
	case ST_F16:
#if defined(__x86_64__)
		if (have_f16c()) {
			store_f16_f16c(d, src, n);
			break;
		}
#endif
		for (size_t i = 0; i < n; i++) {
			uint16_t v = f32_to_f16(src[i]);
			d[2 * i] = (unsigned char)v;
			d[2 * i + 1] = (unsigned char)(v >> 8);
		}
		break;
	case ST_BF16:
		for (size_t i = 0; i < n; i++) {
			uint16_t v = f32_to_bf16(src[i]);
			d[2 * i] = (unsigned char)v;
			d[2 * i + 1] = (unsigned char)(v >> 8);
		}
		break;
	case ST_F32:
		memcpy(d, src, 4 * n);
		break;
	case ST_F64:
		for (size_t i = 0; i < n; i++) {
			double v = src[i];
			memcpy(d + 8 * i, &v, 8);
		}
		break;
	}
}

void fp_store_f64(void *dst, int dtype, const double *src, size_t n)
{
	unsigned char *d = dst;
	for (size_t i = 0; i < n; i++) {
		switch (dtype) {
		case ST_F16: {
			uint16_t v = f32_to_f16((float)src[i]);
			d[2 * i] = (unsigned char)v;
			d[2 * i + 1] = (unsigned char)(v >> 8);
			break;
		}
		case ST_BF16: {
			uint16_t v = f32_to_bf16((float)src[i]);
			d[2 * i] = (unsigned char)v;
			d[2 * i + 1] = (unsigned char)(v >> 8);
			break;
		}
		case ST_F32: {
			float v = (float)src[i];
			memcpy(d + 4 * i, &v, 4);
			break;
		}
		default:
			memcpy(d + 8 * i, &src[i], 8);
			break;
		}
	}
}
