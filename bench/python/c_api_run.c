/* octet-c-api-run: runs a .octet model through the C API (include/octet/octet.h) on raw
 * float32 inputs, for the Python module's tests (bit-for-bit against octet.Session) and its
 * overhead benchmark (bench/python/session_overhead.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "octet/octet.h"

static const char* kUsage =
    "usage: octet-c-api-run MODEL.octet INPUT.f32 OUTPUT.f32 [--time N]\n"
    "\n"
    "Runs the model's one input on every image of INPUT.f32 (float32, native byte order, the\n"
    "input's elements per image) as one batch and writes its first output to OUTPUT.f32.\n"
    "--time N: then runs the first image alone N times (batch 1, one thread, after 100 warm-up\n"
    "runs) and prints \"median_us <microseconds per octet_session_run>\".\n";

static int fail(const char* what) {
  fprintf(stderr, "octet-c-api-run: %s: %s\n", what, octet_last_error());
  return 1;
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* Median microseconds of `runs` batch-1 runs of `in` on a fresh one-thread session. */
static int time_runs(const octet_model* model, const float* in, float* out, int runs, double* median) {
  octet_session* session;
  if (octet_session_create(model, NULL, &session) != OCTET_OK) return fail("session");
  double* us = malloc(sizeof(double) * (size_t)runs);
  int status = us ? 0 : 1;
  for (int i = -100; i < runs && status == 0; ++i) {
    const double t0 = now_us();
    if (octet_session_run(session, 1, &in, 1, &out, 1) != OCTET_OK) status = fail("run");
    if (i >= 0) us[i] = now_us() - t0;
  }
  if (status == 0) {
    qsort(us, (size_t)runs, sizeof(double), by_value);
    *median = us[runs / 2];
  }
  free(us);
  octet_session_free(session);
  return status;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--help") == 0) {
    fputs(kUsage, stdout);
    return 0;
  }
  int runs = 0;
  if (argc == 6 && strcmp(argv[4], "--time") == 0) runs = atoi(argv[5]);
  if (!(argc == 4 || (argc == 6 && runs > 0))) {
    fputs(kUsage, stderr);
    return 2;
  }
  octet_model* model;
  if (octet_model_load_file(argv[1], &model) != OCTET_OK) return fail(argv[1]);
  const size_t in_elems = octet_model_input_elements(model, 0), out_elems = octet_model_output_elements(model, 0);
  FILE* f = fopen(argv[2], "rb");
  if (!f) return fail(argv[2]);
  fseek(f, 0, SEEK_END);
  const long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  const size_t batch = (size_t)bytes / sizeof(float) / in_elems;
  if (batch == 0 || (size_t)bytes != batch * in_elems * sizeof(float)) {
    fprintf(stderr, "octet-c-api-run: %s: %ld bytes is not a whole number of %zu-float images\n", argv[2], bytes, in_elems);
    return 1;
  }
  float* in = malloc((size_t)bytes);
  float* out = malloc(batch * out_elems * sizeof(float));
  if (!in || !out || fread(in, 1, (size_t)bytes, f) != (size_t)bytes) return fail(argv[2]);
  fclose(f);

  octet_session_options options = {.threads = 1, .max_batch = (int)batch};
  octet_session* session;
  if (octet_session_create(model, &options, &session) != OCTET_OK) return fail("session");
  if (octet_session_run(session, (int)batch, (const float* const*)&in, 1, &out, 1) != OCTET_OK) return fail("run");
  octet_session_free(session);
  FILE* o = fopen(argv[3], "wb");
  if (!o || fwrite(out, sizeof(float), batch * out_elems, o) != batch * out_elems || fclose(o) != 0) {
    fprintf(stderr, "octet-c-api-run: %s: cannot write\n", argv[3]);
    return 1;
  }
  double median = 0;
  if (runs > 0) {
    if (time_runs(model, in, out, runs, &median) != 0) return 1;
    printf("median_us %.3f\n", median);
  }
  free(in);
  free(out);
  octet_model_free(model);
  return 0;
}
