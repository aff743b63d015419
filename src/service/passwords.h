// Password hashing for accounts: argon2id through libsodium.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace eventface::service {

// Passwords shorter than this are refused; longer than the maximum too,
// since hashing a megabyte of "password" is a cheap way to burn our CPU.
inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 1024;

// kInvalidArgument, with a sentence for the user, when `password` is too
// short or too long.
Status CheckPasswordRules(std::string_view password);

// The argon2id hash of `password` in libsodium's encoded form
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), with a fresh random salt
// and libsodium's interactive limits (64 MiB, 2 passes: about 50 ms on
// this project's machines). kInternal if libsodium cannot allocate.
Result<std::string> HashPassword(std::string_view password);

// Whether `password` matches `encoded`, a string HashPassword() returned.
// False for a malformed `encoded`. Takes as long as hashing.
bool VerifyPassword(std::string_view password, const std::string& encoded);

}  // namespace eventface::service
