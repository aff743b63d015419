// Forms: the fields a route accepts, from a multipart/form-data body (web
// forms and uploads with files) or a JSON object (API clients).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/handler.h"

namespace eventface::http {

// One field a form may carry.
struct FormField {
  std::string name;
  bool required = true;
  bool is_file = false;  // only in multipart bodies
};

// The fields a request carried, each checked against the route's list.
class Form {
 public:
  bool has(const std::string& name) const {
    return text_.contains(name) || files_.contains(name);
  }
  // The text of field `name`, or "" when absent.
  std::string text(const std::string& name) const;
  // The bytes of file `name` (a view into the request), or "" when absent.
  std::string_view file(const std::string& name) const;

  // Field `name` as a yes/no answer: "true", "1", "yes", "on" (and JSON
  // true) are yes; "false", "0", "no", "off", "" and absence are no.
  // kInvalidArgument for anything else.
  Result<bool> flag(const std::string& name) const;

 private:
  friend Result<Form> ParseForm(const Request&, std::span<const FormField>);
  std::map<std::string, std::string> text_;
  std::map<std::string, std::string_view> files_;
};

// The request's form. Errors, each naming the field: kUnsupportedFormat
// for a body that is neither multipart/form-data nor JSON;
// kInvalidArgument for malformed bodies, unknown fields, a field sent
// twice, a file where text belongs or the reverse, JSON values that are not
// strings, numbers or booleans, and missing required fields.
Result<Form> ParseForm(const Request& request,
                       std::span<const FormField> fields);

}  // namespace eventface::http
