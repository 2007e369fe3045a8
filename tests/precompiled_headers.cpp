// The source of octet_test_headers (tests/CMakeLists.txt): it only makes CMake build the
// precompiled header that every test executable reuses.
