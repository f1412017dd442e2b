// The lite::Error code a call throws, for tests that check which error bad input gets.
#pragma once

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "lite/error.h"

namespace lite::test {

//! The code of the lite::Error fn throws (its message into *message when given); a test failure when it throws none.
inline ErrorCode code_of(const std::function<void()>& fn, std::string* message = nullptr) {
    try {
        fn();
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    ADD_FAILURE() << "no lite::Error thrown";
    return ErrorCode::Internal;
}

}  // namespace lite::test
