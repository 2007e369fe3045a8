# `cmake --install build --prefix P` (tools/octet-setup install runs it): what a C or C++
# project needs to embed octet, and the command-line tools.
#   include/octet/    octet.h (the C API), octet.hpp (its C++ layer), version.h (generated)
#   lib/              liboctet_runtime.a (self-contained: the kernels are inside) and
#                     liboctet_runtime.so.MAJOR.MINOR.PATCH with its SONAME link and dev link
#   lib/cmake/octet/  octetConfig.cmake, octetConfigVersion.cmake: find_package(octet) gives
#                     octet::runtime (static) and octet::runtime_shared
#   lib/pkgconfig/    octet.pc (pkg-config --cflags --libs octet)
#   bin/              the octet-* tools
# The package files find the prefix from their own location, so an installed tree can be moved.
# tests/install/ checks an installed tree (ctest -L install).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(FILES "${PROJECT_SOURCE_DIR}/include/octet/octet.h" "${PROJECT_SOURCE_DIR}/include/octet/octet.hpp"
              "${OCTET_GENERATED_INCLUDE_DIR}/octet/version.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/octet")
install(TARGETS octet_runtime octet_runtime_shared
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(TARGETS octet-compile octet-eval octet-quantize octet-inspect octet-conformance octet-run
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

# What a program linking the static archive needs besides it (the runtime is C++ with threads).
set(OCTET_STATIC_DEPS "-lstdc++ -lm -lpthread")
set(config_dir "${CMAKE_INSTALL_LIBDIR}/cmake/octet")
configure_package_config_file(cmake/octetConfig.cmake.in "${PROJECT_BINARY_DIR}/package/octetConfig.cmake"
    INSTALL_DESTINATION "${config_dir}" PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
# 0.x: a minor release may change the C API, so only the same MAJOR.MINOR is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/octetConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/octetConfig.cmake" "${PROJECT_BINARY_DIR}/package/octetConfigVersion.cmake"
        DESTINATION "${config_dir}")

set(pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH OCTET_PC_TO_PREFIX "/prefix/${pc_dir}" "/prefix")
string(REGEX REPLACE "/$" "" OCTET_PC_TO_PREFIX "${OCTET_PC_TO_PREFIX}")
configure_file(cmake/octet.pc.in "${PROJECT_BINARY_DIR}/package/octet.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/package/octet.pc" DESTINATION "${pc_dir}")

# The Python module installs into the same prefix, where its Python finds it: its install rules
# are in engine/python/CMakeLists.txt (OCTET_PYTHON_INSTALL_DIR).
