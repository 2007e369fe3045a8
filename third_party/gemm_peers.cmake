# The optional peer libraries of octet-bench-gemm-peers (bench/peers): Debian's libopenblas-dev
# and libdnnl-dev. Never required: each one found becomes an imported target that bench/
# links into that one benchmark, and nothing else. Included from bench/CMakeLists.txt.
#   octet::openblas  libopenblas and its cblas.h (with openblas_set_num_threads); Debian
#                    keeps the headers per build variant (.../openblas-pthread).
#   octet::onednn    libdnnl and oneapi/dnnl/dnnl.h, plus OpenMP: Debian's oneDNN runs on
#                    OpenMP, and the benchmark calls omp_set_num_threads(1).
find_path(OCTET_OPENBLAS_INCLUDE_DIR openblas_config.h
          PATH_SUFFIXES openblas-pthread openblas openblas-openmp openblas-serial)
find_library(OCTET_OPENBLAS_LIBRARY openblas)
if(OCTET_OPENBLAS_INCLUDE_DIR AND OCTET_OPENBLAS_LIBRARY AND EXISTS "${OCTET_OPENBLAS_INCLUDE_DIR}/cblas.h")
  add_library(octet::openblas INTERFACE IMPORTED)
  target_include_directories(octet::openblas INTERFACE "${OCTET_OPENBLAS_INCLUDE_DIR}")
  target_link_libraries(octet::openblas INTERFACE "${OCTET_OPENBLAS_LIBRARY}")
  message(STATUS "GEMM peer OpenBLAS: found (${OCTET_OPENBLAS_LIBRARY})")
else()
  message(STATUS "GEMM peer OpenBLAS: not found (optional; apt-get install libopenblas-dev)")
endif()

find_path(OCTET_ONEDNN_INCLUDE_DIR oneapi/dnnl/dnnl.h)
find_library(OCTET_ONEDNN_LIBRARY dnnl)
find_package(OpenMP QUIET COMPONENTS CXX)
if(OCTET_ONEDNN_INCLUDE_DIR AND OCTET_ONEDNN_LIBRARY AND OpenMP_CXX_FOUND)
  add_library(octet::onednn INTERFACE IMPORTED)
  target_include_directories(octet::onednn INTERFACE "${OCTET_ONEDNN_INCLUDE_DIR}")
  target_link_libraries(octet::onednn INTERFACE "${OCTET_ONEDNN_LIBRARY}" OpenMP::OpenMP_CXX)
  message(STATUS "GEMM peer oneDNN: found (${OCTET_ONEDNN_LIBRARY})")
elseif(OCTET_ONEDNN_INCLUDE_DIR AND OCTET_ONEDNN_LIBRARY)
  message(STATUS "GEMM peer oneDNN: found, but not OpenMP (needed to run it on one thread); skipped")
else()
  message(STATUS "GEMM peer oneDNN: not found (optional; apt-get install libdnnl-dev)")
endif()
