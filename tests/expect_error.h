// EXPECT_ERROR(statement, needle): the statement throws an octet::Error whose message
// contains needle. Shared by the tests of what octet refuses.
#pragma once
#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>

#include "engine/runtime/error.h"

namespace octet::testing {

// The octet::Error message of f(); a test failure (and "") if f returns or throws anything else.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-octet exception: " << e.what();
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
