/* Built against the installed C API and liboctet_runtime.so (octet::runtime_shared): loads the
 * model, prints the library's version and the model's input, and fails when the installed
 * header's OCTET_VERSION is not the library's octet_version(). */
#include <stdio.h>
#include <string.h>

#include "octet/octet.h"
#include "octet/version.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: version_check MODEL.octet\n");
    return 2;
  }
  if (strcmp(octet_version(), OCTET_VERSION) != 0) {
    fprintf(stderr, "version_check: the library is %s, its header says %s\n", octet_version(), OCTET_VERSION);
    return 1;
  }
  octet_model* model = NULL;
  const octet_status s = octet_model_load_file(argv[1], &model);
  if (s != OCTET_OK) {
    fprintf(stderr, "version_check: %s: %s\n", octet_status_string(s), octet_last_error());
    return 1;
  }
  printf("octet %s, input %s\n", octet_version(), octet_model_input_name(model, 0));
  octet_model_free(model);
  return 0;
}
