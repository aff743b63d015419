#include "service/passwords.h"

#include <sodium.h>

namespace eventface::service {

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Error{ErrorCode::kInvalidArgument,
                 "password must have at least " +
                     std::to_string(kMinPasswordLength) + " characters"};
  }
  if (password.size() > kMaxPasswordLength) {
    return Error{ErrorCode::kInvalidArgument,
                 "password must have at most " +
                     std::to_string(kMaxPasswordLength) + " characters"};
  }
  return {};
}

Result<std::string> HashPassword(std::string_view password) {
  if (sodium_init() < 0) {
    return Error{ErrorCode::kInternal, "libsodium failed to initialise"};
  }
  char encoded[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(encoded, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{ErrorCode::kInternal, "password hashing ran out of memory"};
  }
  return std::string(encoded);
}

bool VerifyPassword(std::string_view password, const std::string& encoded) {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(),
                                  password.size()) == 0;
}

}  // namespace eventface::service
