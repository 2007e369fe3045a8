// Built against the installed C++ layer (octet/octet.hpp) and liboctet_runtime.so
// (octet::runtime_shared): prints the library's version and the model's input, and fails when
// the installed header's OCTET_VERSION is not the library's octet_version().
#include <cstdio>
#include <cstring>

#include "octet/octet.hpp"
#include "octet/version.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: version_check MODEL.octet\n");
    return 2;
  }
  if (std::strcmp(octet_version(), OCTET_VERSION) != 0) {
    std::fprintf(stderr, "version_check: the library is %s, its header says %s\n", octet_version(), OCTET_VERSION);
    return 1;
  }
  try {
    const octet::runtime::Model model = octet::runtime::Model::load(argv[1]);
    std::printf("octet %s, input %s\n", octet_version(), model.inputs().at(0).name.c_str());
  } catch (const octet::runtime::Error& e) {
    std::fprintf(stderr, "version_check: %s\n", e.what());
    return 1;
  }
  return 0;
}
