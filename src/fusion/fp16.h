/*
 * fp16: conversions between the floating-point storage types of tensors
 * (IEEE half F16, bfloat16 BF16, F32, F64) and the f32/f64 that merging
 * computes in.
 *
 * Narrowing rounds to nearest, ties to even; NaN stays NaN (quiet),
 * infinities and signed zeros are kept, F16 subnormals are exact. Bulk
 * F16 conversions use the F16C instructions when the CPU has them (same
 * rounding), else portable code.
 */
#ifndef FP16_H
#define FP16_H

#include <stddef.h>
#include <stdint.h>

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_bf16(float f);

/*
 * acc[i] += w * src[i] for n elements of src stored as dtype (an
 * st_dtype: F64, F32, F16 or BF16; unaligned, little-endian).
 */
void fp_axpy_f32(float *acc, float w, const void *src, int dtype, size_t n);
void fp_axpy_f64(double *acc, double w, const void *src, int dtype, size_t n);
/* Store n values as dtype into dst (unaligned). */
void fp_store_f32(void *dst, int dtype, const float *src, size_t n);
void fp_store_f64(void *dst, int dtype, const double *src, size_t n);
/* Load n values of dtype into f64 (for the small LoRA matrices). */
void fp_load_f64(double *dst, const void *src, int dtype, size_t n);

#endif
