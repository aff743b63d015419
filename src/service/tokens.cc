#include "service/tokens.h"

#include <sodium.h>

#include <array>
#include <cctype>
#include <cstdlib>

namespace eventface::service {
namespace {

// libsodium must be initialised before its random numbers are used; this
// is idempotent and thread-safe. Failing means no usable randomness: no
// secret can be made safely, so stop.
void RequireSodium() {
  if (sodium_init() < 0) std::abort();
}

}  // namespace

std::string NewToken() {
  RequireSodium();
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                    kVariant);
  text.resize(text.find('\0'));
  return text;
}

std::string TokenHash(std::string_view token) {
  RequireSodium();
  std::array<unsigned char, 32> digest;
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

std::string NewEventCode() {
  RequireSodium();
  std::string code(kEventCodeLength, ' ');
  for (char& symbol : code) {
    symbol = kEventCodeAlphabet[randombytes_uniform(
        static_cast<uint32_t>(kEventCodeAlphabet.size()))];
  }
  return code;
}

std::string NormalizeEventCode(std::string_view text) {
  std::string code;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    code += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return code;
}

}  // namespace eventface::service
