#include "http/form.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/multipart.h"

namespace eventface::http {
namespace {

Error FieldError(const std::string& name, const std::string& problem) {
  return Error{ErrorCode::kInvalidArgument,
               "field \"" + name + "\" " + problem};
}

const FormField* FindField(std::span<const FormField> fields,
                           const std::string& name) {
  auto it = std::find_if(fields.begin(), fields.end(),
                         [&](const FormField& f) { return f.name == name; });
  return it == fields.end() ? nullptr : &*it;
}

bool IsJson(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media == "application/json";
}

}  // namespace

std::string Form::text(const std::string& name) const {
  auto it = text_.find(name);
  return it == text_.end() ? std::string() : it->second;
}

std::string_view Form::file(const std::string& name) const {
  auto it = files_.find(name);
  return it == files_.end() ? std::string_view() : it->second;
}

Result<bool> Form::flag(const std::string& name) const {
  std::string value = text(name);
  std::transform(value.begin(), value.end(), value.begin(), ::tolower);
  for (const char* yes : {"true", "1", "yes", "on"}) {
    if (value == yes) return true;
  }
  for (const char* no : {"false", "0", "no", "off", ""}) {
    if (value == no) return false;
  }
  return FieldError(name, "must be true or false");
}

Result<Form> ParseForm(const Request& request,
                       std::span<const FormField> fields) {
  Form form;
  if (IsJson(request.content_type())) {
    nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
    if (body.is_discarded()) {
      return Error{ErrorCode::kInvalidArgument, "malformed JSON body"};
    }
    if (!body.is_object()) {
      return Error{ErrorCode::kInvalidArgument,
                   "the JSON body must be an object"};
    }
    for (const auto& [name, value] : body.items()) {
      const FormField* field = FindField(fields, name);
      if (field == nullptr) return FieldError(name, "is not known here");
      if (field->is_file) {
        return FieldError(name,
                          "is a file: send the form as multipart/form-data");
      }
      if (value.is_string()) {
        form.text_[name] = value.get<std::string>();
      } else if (value.is_boolean() || value.is_number()) {
        form.text_[name] = value.dump();
      } else {
        return FieldError(name, "must be a string, a number or a boolean");
      }
    }
  } else {
    auto parts = ParseMultipart(request);
    if (!parts) {
      if (parts.error().code != ErrorCode::kUnsupportedFormat) {
        return parts.error();
      }
      return Error{ErrorCode::kUnsupportedFormat,
                   "send multipart/form-data or application/json"};
    }
    for (const FormPart& part : *parts) {
      const FormField* field = FindField(fields, part.name);
      if (field == nullptr) return FieldError(part.name, "is not known here");
      if (form.has(part.name)) return FieldError(part.name, "is sent twice");
      if (field->is_file != part.filename.has_value()) {
        return FieldError(part.name, field->is_file ? "must be a file"
                                                    : "must not be a file");
      }
      if (field->is_file) {
        form.files_[part.name] = part.body;
      } else {
        form.text_[part.name] = std::string(part.body);
      }
    }
  }
  for (const FormField& field : fields) {
    if (field.required && !form.has(field.name)) {
      return FieldError(field.name, "is required");
    }
  }
  return form;
}

}  // namespace eventface::http
