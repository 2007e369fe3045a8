/* octet-embed: classifies one 32x32 RGB image with a compiled model, using only the octet
 * runtime library (include/octet/octet.h).
 *
 *   octet-embed resnet8.octet image.bin
 *
 * The image file is either
 *   - 3,072 bytes: raw pixels, 32 rows of 32 pixels of R, G, B (row-major HWC, 0..255), or
 *   - 3,073 bytes: one record of the CIFAR-10 binary format (a label byte, then the 1,024 red,
 *     1,024 green and 1,024 blue bytes, each plane row-major); the label is printed too.
 * The model takes raw pixel values (0..255) as float32, NHWC [N,32,32,3] or NCHW [N,3,32,32].
 *
 * Prints "class <index> <name> <probability>" and exits 0; on an error, a message on stderr and
 * exit status 1 (2 for a usage error). Set OCTET_THREADS to use more than one thread. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "octet/octet.h"

static const char* const kClasses[10] = {"airplane", "automobile", "bird", "cat", "deer",
                                         "dog", "frog", "horse", "ship", "truck"};

static int fail(const char* what, octet_status s) {
  fprintf(stderr, "octet-embed: %s: %s: %s\n", what, octet_status_string(s), octet_last_error());
  return 1;
}

static const char kUsage[] =
    "usage: octet-embed MODEL.octet IMAGE (3,072 raw HWC RGB bytes or one 3,073-byte CIFAR-10 record)\n";

int main(int argc, char** argv) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(kUsage, stdout);
    return 0;
  }
  if (argc != 3) {
    fputs(kUsage, stderr);
    return 2;
  }

  unsigned char file[3074];
  FILE* f = fopen(argv[2], "rb");
  if (!f) {
    fprintf(stderr, "octet-embed: cannot open %s\n", argv[2]);
    return 1;
  }
  size_t size = fread(file, 1, sizeof file, f);
  fclose(f);
  if (size != 3072 && size != 3073) {
    fprintf(stderr, "octet-embed: %s: %zu bytes; expected 3,072 (raw HWC RGB) or 3,073 (CIFAR-10 record)\n", argv[2], size);
    return 1;
  }
  const int cifar = size == 3073;
  const unsigned char* px = file + cifar;

  octet_model* model = NULL;
  octet_status s = octet_model_load_file(argv[1], &model);
  if (s != OCTET_OK) return fail("load", s);

  int64_t dims[4];
  size_t rank = 0;
  s = octet_model_input_shape(model, 0, dims, 4, &rank);
  if (s != OCTET_OK) return fail("input shape", s);
  int nchw;
  if (rank == 4 && dims[1] == 32 && dims[2] == 32 && dims[3] == 3) {
    nchw = 0;
  } else if (rank == 4 && dims[1] == 3 && dims[2] == 32 && dims[3] == 32) {
    nchw = 1;
  } else {
    fprintf(stderr, "octet-embed: the model's input '%s' is not a 32x32 RGB image\n", octet_model_input_name(model, 0));
    octet_model_free(model);
    return 1;
  }
  const size_t classes = octet_model_output_elements(model, 0);
  if (octet_model_input_count(model) != 1 || octet_model_output_count(model) != 1 || classes == 0 || classes > 1000) {
    fprintf(stderr, "octet-embed: expected a classifier with one input and one output\n");
    octet_model_free(model);
    return 1;
  }

  /* Pixel (y, x) channel c: raw files are HWC, CIFAR records are planar (CHW). */
  float input[3 * 32 * 32];
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 32 * 32; ++p) {
      const unsigned char v = cifar ? px[c * 1024 + p] : px[p * 3 + c];
      input[nchw ? c * 1024 + p : p * 3 + c] = (float)v;
    }

  octet_session_options options = {.threads = 1, .max_batch = 1}; /* limits: the defaults */
  const char* threads = getenv("OCTET_THREADS");
  if (threads) options.threads = atoi(threads);
  octet_session* session = NULL;
  s = octet_session_create(model, &options, &session);
  if (s != OCTET_OK) return fail("session", s);

  float scores[1000];
  const float* inputs[1] = {input};
  float* outputs[1] = {scores};
  s = octet_session_run(session, 1, inputs, 1, outputs, 1);
  if (s != OCTET_OK) return fail("run", s);

  size_t best = 0;
  for (size_t i = 1; i < classes; ++i)
    if (scores[i] > scores[best]) best = i;
  printf("class %zu %s %.6f", best, classes == 10 ? kClasses[best] : "?", (double)scores[best]);
  if (cifar) printf(" (label %d %s)", file[0], file[0] < 10 ? kClasses[file[0]] : "?");
  printf("\n");

  octet_session_free(session);
  octet_model_free(model);
  return 0;
}
