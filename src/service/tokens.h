// Secrets handed to clients (session tokens, invite tokens) and the short
// codes attendees type to join an event.
#pragma once

#include <string>
#include <string_view>

namespace eventface::service {

// A fresh secret: 32 random bytes as URL-safe base64 without padding (43
// characters), fit for a header, a cookie and a URL path.
std::string NewToken();

// How a token is stored: the hex BLAKE2b-256 of its text. A fast hash is
// enough, since a token has 256 random bits; an attacker with the table
// cannot go back to a token that works.
std::string TokenHash(std::string_view token);

// The characters of event codes: capitals and digits without the pairs
// people confuse (0/O, 1/I/L), 31 symbols.
inline constexpr std::string_view kEventCodeAlphabet =
    "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
inline constexpr size_t kEventCodeLength = 8;

// A random event code: 8 symbols of kEventCodeAlphabet (about 40 bits).
std::string NewEventCode();

// `text` as an event code: trimmed, upper-cased, with spaces and dashes
// removed, so "abcd-efgh" finds "ABCDEFGH". Not checked further.
std::string NormalizeEventCode(std::string_view text);

}  // namespace eventface::service
