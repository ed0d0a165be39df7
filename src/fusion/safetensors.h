/*
 * safetensors: read (over mmap) and write the safetensors format.
 *
 * A file is an 8-byte little-endian header length N, N bytes of JSON, then
 * the data section. The header maps tensor names to
 * {"dtype": "F16", "shape": [2, 3], "data_offsets": [begin, end]} (offsets
 * relative to the data section) plus an optional "__metadata__" object of
 * string values.
 *
 * The reader treats the file as untrusted and validates it exactly as the
 * reference implementation does (SPEC §7): header length at most
 * ST_MAX_HEADER, a JSON object, known dtypes, shape product times dtype
 * size equal to the byte range, ranges contiguous from 0 without holes or
 * overlaps, the last range ending exactly at the end of the file, no
 * duplicate names, no NUL in names, __metadata__ strings only. The first
 * violation is reported through err_set() as
 *   "<file>: tensor '<name>': <rule>"
 * All arithmetic on header values is overflow-checked.
 *
 * The writer takes the list of tensors up front (so the header, and every
 * tensor's place in the file, is known before any data), writes into a
 * temporary file next to the destination, and on commit checks that exactly
 * the announced bytes were written, fsyncs and renames into place. The
 * header is padded with spaces to a multiple of 8 bytes.
 */
#ifndef SAFETENSORS_H
#define SAFETENSORS_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#define ST_MAX_HEADER 100000000ULL

enum st_dtype {
	ST_BOOL,
	ST_U8,
	ST_I8,
	ST_F8_E5M2,
	ST_F8_E4M3,
	ST_I16,
	ST_U16,
	ST_F16,
	ST_BF16,
	ST_I32,
	ST_U32,
	ST_F32,
	ST_F64,
	ST_I64,
	ST_U64,
	ST_DTYPE_COUNT,
	ST_DTYPE_NONE = -1
};

/* "F16" etc.; NULL for an invalid value. */
const char *st_dtype_name(int dtype);
/* The dtype called name, or ST_DTYPE_NONE. */
int st_dtype_from_name(const char *name);
size_t st_dtype_size(int dtype);
/* 1 for F64, F32, F16, BF16: the dtypes merging reads and writes. */
int st_dtype_is_float(int dtype);

struct st_tensor {
	char *name;
	int dtype;
	size_t ndim;
	uint64_t *shape;
	uint64_t begin, end; /* in the data section */
	uint64_t nelem;
};

struct st_meta {
	char *key, *value;
};

struct st_file {
	char *path;		   /* as given, for messages */
	const unsigned char *data; /* the data section */
	uint64_t data_len;
	struct st_tensor *tensors; /* in header order */
	size_t nr;
	struct st_meta *meta;
	size_t meta_nr;
	/* private */
	size_t *by_name; /* indices sorted by name */
	void *map;
	size_t map_len;
};

/*
 * Open and validate path, mapping it read-only (MADV_SEQUENTIAL). 0, or -1
 * with err_set naming the file and (when there is one) the tensor.
 */
int st_open(struct st_file **out, const char *path);
/*
 * Validate an in-memory file image (the fuzz target's entry). name is used
 * in messages. On success *out refers to buf, which must outlive it.
 */
int st_parse(struct st_file **out, const char *name, const unsigned char *buf, size_t len);
void st_close(struct st_file *f);

/* The tensor called name, or NULL (binary search). */
const struct st_tensor *st_find(const struct st_file *f, const char *name);
/* The metadata value for key, or NULL. */
const char *st_meta_get(const struct st_file *f, const char *key);
/* Pointer to the tensor's bytes (inside the mapping). */
static inline const unsigned char *st_tensor_data(const struct st_file *f,
						  const struct st_tensor *t)
{
	return f->data + t->begin;
}
/* Drop the mapped pages of [off, off+len) of the data section from this
 * process (they stay in the page cache): keeps the resident set bounded
 * while streaming through big files. */
void st_release(const struct st_file *f, uint64_t off, uint64_t len);

/*
 * Guarded reads of mappings. A mapped file that shrinks while it is read
 * (another process truncates it) raises SIGBUS at the first page past its
 * new end, which would kill the process, the team server included. A
 * thread that reads mappings brackets the reads:
 *
 *	struct st_guard g;
 *	st_guard_push(&g);
 *	if (sigsetjmp(g.jb, 0)) {
 *		st_guard_pop(&g);
 *		... the read at g.addr failed: st_guard_error(&g, files, nr)
 *	}
 *	... reads ...
 *	st_guard_pop(&g);
 *
 * A SIGBUS inside the bracket returns from sigsetjmp with 1 (the reads
 * between are abandoned: they must not hold locks or allocations); one
 * outside any bracket keeps its default action. Brackets nest per thread.
 */
struct st_guard {
	sigjmp_buf jb;
	void *addr; /* the faulting address, after a jump */
	struct st_guard *prev;
};
void st_guard_push(struct st_guard *g);
void st_guard_pop(struct st_guard *g);
/*
 * After a jump: err_set() naming the file of files[] whose mapping holds
 * g->addr (or the first one). Returns -1.
 */
int st_guard_error(const struct st_guard *g, struct st_file *const *files, size_t nr);

/* Writing. */
struct st_out_tensor {
	const char *name;
	int dtype;
	size_t ndim;
	const uint64_t *shape;
	uint64_t offset; /* filled by st_writer_begin: absolute file offset */
	uint64_t nbytes; /* filled by st_writer_begin */
};

struct st_writer;

/*
 * Create a temporary file next to path and write the header for the given
 * tensors (laid out in the given order) and metadata (pairs, may be 0).
 * Fills t[i].offset and t[i].nbytes. 0, or -1 with err_set.
 */
int st_writer_begin(struct st_writer **out, const char *path, struct st_out_tensor *t, size_t nr,
		    const struct st_meta *meta, size_t meta_nr);
/* The temporary file's descriptor, for pwrite() at t[i].offset. */
int st_writer_fd(struct st_writer *w);
/* Append len bytes at the current position (sequential writing). */
int st_writer_write(struct st_writer *w, const void *buf, size_t len);
/* Note that len bytes were written with pwrite() by the caller. */
void st_writer_account(struct st_writer *w, uint64_t len);
/* Start writeback of what was written so far (bounds dirty pages). */
void st_writer_flush_hint(struct st_writer *w);
/* Check the size, fsync, rename into place, fsync the folder; frees w. */
int st_writer_commit(struct st_writer *w);
/* Remove the temporary file; frees w. Safe with NULL. */
void st_writer_abort(struct st_writer *w);

#endif
