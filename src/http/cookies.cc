#include "http/cookies.h"

#include <algorithm>
#include <cassert>

namespace eventface::http {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// RFC 6265's cookie-octet: printable ASCII but for the separators.
[[maybe_unused]] bool IsCookieOctet(char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
}

}  // namespace

std::string FindCookie(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    size_t end = cookie_header.find(';');
    std::string_view pair = TrimSpaces(cookie_header.substr(0, end));
    cookie_header.remove_prefix(
        end == std::string_view::npos ? cookie_header.size() : end + 1);

    size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (TrimSpaces(pair.substr(0, equals)) != name) continue;
    std::string_view value = TrimSpaces(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return "";
}

std::string SetCookieValue(std::string_view name, std::string_view value,
                           std::chrono::seconds max_age, bool secure) {
  assert(!name.empty() && std::all_of(name.begin(), name.end(), IsCookieOctet));
  assert(std::all_of(value.begin(), value.end(), IsCookieOctet));
  std::string cookie = std::string(name) + "=" + std::string(value) +
                       "; Path=/; Max-Age=" +
                       std::to_string(std::max<long long>(max_age.count(), 0)) +
                       "; HttpOnly; SameSite=Lax";
  if (secure) cookie += "; Secure";
  return cookie;
}

}  // namespace eventface::http
