#include "store/database_url.h"

#include <cctype>
#include <utility>
#include <vector>

namespace eventface::store {

namespace {

Error Invalid(std::string_view redacted, std::string_view why) {
  return Error{
      ErrorCode::kInvalidArgument,
      "database url " + std::string(redacted) + ": " + std::string(why)};
}

int HexValue(char c) {
  if (std::isdigit(static_cast<unsigned char>(c))) return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes %XX escapes; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high << 4 | low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

bool CarriesThroughSoci(std::string_view value) {
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"') {
      return false;
    }
  }
  return !value.empty();
}

DatabaseUrl SqliteUrl(std::string_view path) {
  DatabaseUrl url;
  url.backend = Backend::kSqlite;
  url.sqlite_path = std::string(path);
  url.connect_string = "db=" + url.sqlite_path;
  url.redacted = "sqlite:" + url.sqlite_path;
  return url;
}

// Splits "user:password@host:port/dbname?query" into libpq keywords.
Result<std::vector<std::pair<std::string, std::string>>> PostgresKeywords(
    std::string_view rest, std::string_view redacted) {
  std::vector<std::pair<std::string, std::string>> keywords;
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    std::string_view dbname = rest.substr(slash + 1);
    if (!dbname.empty()) keywords.emplace_back("dbname", PercentDecode(dbname));
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    keywords.emplace_back("user", PercentDecode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) {
      keywords.emplace_back("password",
                            PercentDecode(userinfo.substr(colon + 1)));
    }
  }
  if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    if (port.empty() ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return Invalid(redacted, "port is not a number");
    }
    keywords.emplace_back("port", std::string(port));
  }
  if (!authority.empty())
    keywords.emplace_back("host", PercentDecode(authority));

  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Invalid(redacted, "query part is not key=value");
    }
    keywords.emplace_back(PercentDecode(pair.substr(0, eq)),
                          PercentDecode(pair.substr(eq + 1)));
  }
  return keywords;
}

// The URL with the password, if any, blanked out.
std::string Redact(std::string_view url, size_t scheme_end) {
  std::string_view rest = url.substr(scheme_end);
  size_t at = rest.find('@');
  size_t colon = rest.find(':');
  size_t slash = rest.find('/');
  if (at == std::string_view::npos || colon > at ||
      (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  return std::string(url.substr(0, scheme_end + colon + 1)) + "***" +
         std::string(rest.substr(at));
}

}  // namespace

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  if (url.empty()) return Invalid("(empty)", "empty");

  size_t scheme_end = std::string_view::npos;
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (url.rfind(scheme, 0) == 0) scheme_end = scheme.size();
  }
  if (scheme_end == std::string_view::npos) {
    std::string_view path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
    if (!CarriesThroughSoci(path)) {
      return Invalid(url, "path is empty or holds spaces or quotes");
    }
    return SqliteUrl(path);
  }

  DatabaseUrl parsed;
  parsed.backend = Backend::kPostgres;
  parsed.redacted = Redact(url, scheme_end);
  auto keywords = PostgresKeywords(url.substr(scheme_end), parsed.redacted);
  if (!keywords.ok()) return keywords.error();
  for (const auto& [key, value] : *keywords) {
    if (!CarriesThroughSoci(key) || !CarriesThroughSoci(value)) {
      return Invalid(parsed.redacted,
                     "'" + key + "' is empty or holds spaces or quotes");
    }
    if (!parsed.connect_string.empty()) parsed.connect_string += ' ';
    parsed.connect_string += key + "=" + value;
  }
  return parsed;
}

}  // namespace eventface::store
