// EXPECT_ERROR(statement, needle): the statement throws an octet::Error whose message
// contains needle. Shared by the tests of what octet refuses.
#pragma once
#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>

#include "engine/runtime/error.h"

namespace octet::testing {

// The octet::Error message of f() (or of the Error subclass E, e.g. ResourceLimitError); a
// test failure (and "") if f returns or throws anything else.
template <typename E = Error>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another exception than expected: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no error";
  return {};
}

}  // namespace octet::testing

#define EXPECT_ERROR(statement, needle)                                                       \
  do {                                                                                       \
    const std::string msg_ = ::octet::testing::error_of([&] { statement; });                 \
    EXPECT_NE(msg_.find(needle), std::string::npos) << #statement << "\n  message: " << msg_; \
  } while (0)
