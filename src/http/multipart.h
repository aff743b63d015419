// multipart/form-data request bodies: the form fields and files an upload
// form or an API client posts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/handler.h"

namespace eventface::http {

// One part of a multipart/form-data body.
struct FormPart {
  std::string name;                     // the form field's name
  std::optional<std::string> filename;  // set for a file, as the client sent it
  std::string content_type;             // the part's own, or "" when absent
  std::string_view body;                // a view into the request's body
};

// The parts of a multipart/form-data body whose Content-Type header value
// is `content_type`, in the order sent; the views point into `body`.
// Fails with kUnsupportedFormat when the body is of another media type, and
// with kInvalidArgument when the boundary is missing or invalid, the body
// has no parts or no closing boundary, or a part lacks its headers or a
// Content-Disposition of form-data with a name.
Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type,
                                             std::string_view body);

// The same for `request`: valid as long as the request is.
inline Result<std::vector<FormPart>> ParseMultipart(const Request& request) {
  return ParseMultipart(request.content_type(), request.body());
}

}  // namespace eventface::http
