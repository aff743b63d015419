// Cookies: reading one from a request's Cookie header, and the Set-Cookie
// value the web pages' session cookie is sent with.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace eventface::http {

// The value of cookie `name` in a Cookie header's value ("a=1; b=\"2\""),
// without its double quotes if it had them, or "" when the header has no
// such cookie. Names compare exactly; the first of repeated names wins.
std::string FindCookie(std::string_view cookie_header, std::string_view name);

// The Set-Cookie value for cookie `name`: HttpOnly, SameSite=Lax, Path=/,
// kept for `max_age` (0 deletes it), and Secure when `secure`. REQUIRES:
// `name` is a token and `value` holds only cookie octets (no space, quote,
// comma, semicolon or backslash), as our random session tokens do.
std::string SetCookieValue(std::string_view name, std::string_view value,
                           std::chrono::seconds max_age, bool secure);

}  // namespace eventface::http
