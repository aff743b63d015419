// Request bodies as JSON objects with a fixed set of fields.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace eventface::http {

enum class JsonType { kString, kInteger, kNumber, kBoolean, kObject, kArray };

// One field a request body may carry.
struct JsonField {
  std::string name;
  JsonType type;
  bool required = true;
};

// The body as a JSON object whose members are all among `fields`, each of
// its declared type, with every required one present. Fails with
// kUnsupportedFormat (415) when `content_type` is not application/json,
// and kInvalidArgument (400) for malformed JSON ("malformed JSON: ..."),
// a body that is not an object, an unknown field, a field of the wrong
// type or a missing required field, naming the field.
Result<nlohmann::json> ParseJsonBody(std::string_view content_type,
                                     std::string_view body,
                                     std::span<const JsonField> fields);

// "string", "integer", ...: how error messages name a type.
std::string_view JsonTypeName(JsonType type);

}  // namespace eventface::http
