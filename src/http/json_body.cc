#include "http/json_body.h"

#include <algorithm>
#include <cctype>

namespace eventface::http {
namespace {

// True when the media type, before any parameters, is application/json
// (media types compare without regard to case).
bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
    type.remove_suffix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type[0])))
    type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  return std::equal(type.begin(), type.end(), kJson.begin(), kJson.end(),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) == b;
                    });
}

bool HasType(const nlohmann::json& value, JsonType type) {
  switch (type) {
    case JsonType::kString:
      return value.is_string();
    case JsonType::kInteger:
      return value.is_number_integer();
    case JsonType::kNumber:
      return value.is_number();
    case JsonType::kBoolean:
      return value.is_boolean();
    case JsonType::kObject:
      return value.is_object();
    case JsonType::kArray:
      return value.is_array();
  }
  return false;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ",
// which says nothing to a client.
std::string_view WithoutExceptionTag(std::string_view what) {
  if (!what.starts_with("[json.exception.")) return what;
  size_t end = what.find("] ");
  return end == std::string_view::npos ? what : what.substr(end + 2);
}

// "an integer", "a string".
std::string WithArticle(std::string_view noun) {
  bool vowel =
      std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

Error BadRequest(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

}  // namespace

std::string_view JsonTypeName(JsonType type) {
  switch (type) {
    case JsonType::kString:
      return "string";
    case JsonType::kInteger:
      return "integer";
    case JsonType::kNumber:
      return "number";
    case JsonType::kBoolean:
      return "boolean";
    case JsonType::kObject:
      return "object";
    case JsonType::kArray:
      return "array";
  }
  return "unknown";
}

Result<nlohmann::json> ParseJsonBody(std::string_view content_type,
                                     std::string_view body,
                                     std::span<const JsonField> fields) {
  if (!IsJsonMediaType(content_type)) {
    return Error{ErrorCode::kUnsupportedFormat,
                 "expected Content-Type application/json, got \"" +
                     std::string(content_type.substr(0, 100)) + "\""};
  }

  nlohmann::json json;
  try {
    json = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return BadRequest("malformed JSON: " +
                      std::string(WithoutExceptionTag(e.what())));
  }
  if (!json.is_object())
    return BadRequest("request body must be a JSON object");

  // Members in key order (nlohmann sorts them), so the first problem
  // reported does not depend on how the client ordered its fields.
  for (const auto& [name, value] : json.items()) {
    auto field =
        std::find_if(fields.begin(), fields.end(),
                     [&](const JsonField& f) { return f.name == name; });
    if (field == fields.end()) {
      return BadRequest("unknown field \"" + name.substr(0, 100) + "\"");
    }
    if (!HasType(value, field->type)) {
      return BadRequest("field \"" + name + "\" must be " +
                        WithArticle(JsonTypeName(field->type)));
    }
  }
  for (const JsonField& field : fields) {
    if (field.required && !json.contains(field.name)) {
      return BadRequest("missing required field \"" + field.name + "\"");
    }
  }
  return json;
}

}  // namespace eventface::http
