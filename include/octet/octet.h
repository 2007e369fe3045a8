/* octet runtime: the C API.
 *
 * Loads a compiled model (.octet, written by `octet-compile`) and runs it on the CPU. Link
 * with the runtime library alone (liboctet_runtime.a or liboctet_runtime.so; it needs only
 * libc, libstdc++ and pthreads).
 *
 *   octet_model* model;
 *   if (octet_model_load_file("resnet8.octet", &model) != OCTET_OK) {
 *     fprintf(stderr, "%s\n", octet_last_error());
 *     return 1;
 *   }
 *   octet_session* session;
 *   octet_session_create(model, NULL, &session);          // NULL: one thread, batch 1
 *   const float* in[1] = {pixels};  float* out[1] = {probs};
 *   octet_session_run(session, 1, in, 1, out, 1);
 *   octet_session_free(session);
 *   octet_model_free(model);
 *
 * Errors: every function that can fail returns an octet_status; the message of the last
 * failure on the calling thread is octet_last_error(). No C++ exception crosses this API.
 *
 * Threads: a model is immutable once loaded and may be shared by any number of sessions on
 * any threads. A session owns the activation memory and the worker threads of one run at a
 * time; concurrent runs on one session are serialised. Freeing a model while its sessions
 * live is allowed (the sessions keep what they need).
 *
 * Limits: a session refuses, when it is created, a model whose planned memory (activation
 * arena, scratch, weights) exceeds max_memory_bytes (default 1 GiB) or whose multiply-
 * accumulates per image exceed max_cost_per_image (default 1e12): OCTET_RESOURCE_LIMIT, with
 * the biggest buffers or steps and the limit in octet_last_error(). A run in progress stops
 * within milliseconds when another thread calls octet_session_interrupt(): it returns
 * OCTET_INTERRUPTED and the session stays usable (docs/limits.md).
 *
 * Tensors: every input and output is float32, dense, row-major, in the layout and shape the
 * model declares; dimension 0 is the batch (-1 in the shape when the model leaves it free).
 */
#ifndef OCTET_OCTET_H
#define OCTET_OCTET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(OCTET_BUILDING_RUNTIME) && defined(__GNUC__)
#define OCTET_API __attribute__((visibility("default")))
#else
#define OCTET_API
#endif

typedef enum octet_status {
  OCTET_OK = 0,
  OCTET_INVALID_ARGUMENT = 1, /* a NULL pointer, an index or a batch out of range */
  OCTET_IO_ERROR = 2,         /* the file cannot be opened or read */
  OCTET_INVALID_MODEL = 3,    /* not a valid .octet file: truncated, corrupted, wrong version */
  OCTET_UNSUPPORTED_CPU = 4,  /* the file's kernels need instructions this CPU lacks */
  OCTET_OUT_OF_MEMORY = 5,
  OCTET_INTERNAL_ERROR = 6,
  OCTET_RESOURCE_LIMIT = 7,   /* the model needs more memory or arithmetic than the session's limits */
  OCTET_INTERRUPTED = 8       /* octet_session_interrupt() stopped the run; its outputs are unspecified */
} octet_status;

typedef enum octet_dtype { OCTET_FLOAT32 = 1 } octet_dtype;

typedef struct octet_model octet_model;
typedef struct octet_session octet_session;

/* Zero-initialise it (octet_session_options o = {0};): a zero limit means the default. */
typedef struct octet_session_options {
  int threads;   /* worker threads including the caller, >= 1 */
  int max_batch; /* largest batch one run takes, >= 1 (the activation memory is sized for it) */
  uint64_t max_memory_bytes;  /* planned bytes of arena, scratch and weights; 0: 1 GiB */
  double max_cost_per_image;  /* multiply-accumulates per image; 0: 1e12 */
} octet_session_options;

/* "ok", "invalid argument", ... */
OCTET_API const char* octet_status_string(octet_status status);
/* The message of the calling thread's last failure ("" if none). Valid until its next call. */
OCTET_API const char* octet_last_error(void);
/* The library's version: the CMake project version, also OCTET_VERSION in octet/version.h
 * (installed beside this header), e.g. for checking that a header matches the library. */
OCTET_API const char* octet_version(void);

OCTET_API octet_status octet_model_load_file(const char* path, octet_model** model);
/* The bytes are copied; the caller may free them once this returns. */
OCTET_API octet_status octet_model_load_bytes(const void* data, size_t size, octet_model** model);
OCTET_API void octet_model_free(octet_model* model); /* NULL is ignored */

OCTET_API size_t octet_model_input_count(const octet_model* model);
OCTET_API size_t octet_model_output_count(const octet_model* model);
/* NULL when index is out of range. Valid while the model lives. */
OCTET_API const char* octet_model_input_name(const octet_model* model, size_t index);
OCTET_API const char* octet_model_output_name(const octet_model* model, size_t index);
/* Writes up to `capacity` dims to `dims` and the rank to `*rank` (so a first call with
 * capacity 0 asks for the rank). dims[0] is the batch, -1 when free. */
OCTET_API octet_status octet_model_input_shape(const octet_model* model, size_t index, int64_t* dims,
                                               size_t capacity, size_t* rank);
OCTET_API octet_status octet_model_output_shape(const octet_model* model, size_t index, int64_t* dims,
                                                size_t capacity, size_t* rank);
OCTET_API octet_status octet_model_input_dtype(const octet_model* model, size_t index, octet_dtype* dtype);
OCTET_API octet_status octet_model_output_dtype(const octet_model* model, size_t index, octet_dtype* dtype);
/* Elements of one image (the product of dims[1..]); 0 when index is out of range. */
OCTET_API size_t octet_model_input_elements(const octet_model* model, size_t index);
OCTET_API size_t octet_model_output_elements(const octet_model* model, size_t index);
/* One line: scheme, ISA, steps, weight bytes, producer. Valid while the model lives. */
OCTET_API const char* octet_model_description(const octet_model* model);

/* options may be NULL (1 thread, max_batch 1, the default limits). OCTET_RESOURCE_LIMIT when the
 * model exceeds a limit. */
OCTET_API octet_status octet_session_create(const octet_model* model, const octet_session_options* options,
                                            octet_session** session);
OCTET_API void octet_session_free(octet_session* session); /* NULL is ignored */
/* inputs[i] holds batch * octet_model_input_elements(model, i) floats, outputs[i] likewise;
 * the counts must equal the model's. Allocates nothing. Inputs are only read; one whose images
 * start on 64-byte boundaries is read where it is, any other is first copied (a 224x224 RGB
 * image is 600 KB), so aligned inputs save a copy per image. */
OCTET_API octet_status octet_session_run(octet_session* session, int batch, const float* const* inputs,
                                         size_t input_count, float* const* outputs, size_t output_count);
/* Stops the run in progress on `session` (called from another thread): that run returns
 * OCTET_INTERRUPTED within milliseconds. Thread-safe, never blocks; with no run in progress it
 * does nothing (the next run is not affected). The session must not be freed meanwhile. */
OCTET_API octet_status octet_session_interrupt(octet_session* session);

#ifdef __cplusplus
}
#endif

#endif /* OCTET_OCTET_H */
