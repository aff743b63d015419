#include "http/multipart.h"

#include <restinio/helpers/http_field_parsers/content-disposition.hpp>
#include <restinio/helpers/http_field_parsers/content-type.hpp>
#include <restinio/helpers/multipart_body.hpp>
#include <utility>

namespace eventface::http {
namespace {

namespace fields = restinio::http_field_parsers;
namespace multipart = restinio::multipart_body;

Error Invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "multipart body: " + message};
}

// "--" and the boundary of a multipart/form-data `content_type`.
Result<std::string> BoundaryMark(std::string_view content_type) {
  auto parsed = fields::content_type_value_t::try_parse(content_type);
  const char* expected = "expected Content-Type multipart/form-data";
  if (!parsed) return Error{ErrorCode::kUnsupportedFormat, expected};
  const fields::media_type_value_t& media = parsed->media_type;
  if (!restinio::impl::is_equal_caseless(media.type, "multipart") ||
      !restinio::impl::is_equal_caseless(media.subtype, "form-data")) {
    return Error{ErrorCode::kUnsupportedFormat, expected};
  }

  auto boundary = fields::find_first(media.parameters, "boundary");
  if (!boundary) return Invalid("Content-Type has no boundary");
  if (multipart::check_boundary_value(*boundary)) {
    return Invalid("Content-Type has an invalid boundary");
  }
  return "--" + std::string(*boundary);
}

// The FormPart for the `index`th part, `text`: its headers, a blank line,
// its body.
Result<FormPart> ParsePart(std::string_view text, size_t index) {
  std::string which = "part " + std::to_string(index + 1);
  auto parsed = multipart::try_parse_part(text);
  if (!parsed) return Invalid(which + " has malformed headers");

  auto disposition_text =
      parsed->fields.opt_value_of(restinio::http_field::content_disposition);
  if (!disposition_text) {
    return Invalid(which + " has no Content-Disposition");
  }
  auto disposition =
      fields::content_disposition_value_t::try_parse(*disposition_text);
  if (!disposition || disposition->value != "form-data") {
    return Invalid(which + " is not a form-data part");
  }
  auto name = fields::find_first(disposition->parameters, "name");
  if (!name || name->empty()) return Invalid(which + " has no name");

  FormPart part;
  part.name = std::string(*name);
  if (auto filename = fields::find_first(disposition->parameters, "filename")) {
    part.filename = std::string(*filename);
  }
  auto type = parsed->fields.opt_value_of(restinio::http_field::content_type);
  if (type) part.content_type = std::string(*type);
  part.body = parsed->body;
  return part;
}

}  // namespace

Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type,
                                             std::string_view body) {
  auto mark = BoundaryMark(content_type);
  if (!mark) return std::move(mark).error();

  std::vector<restinio::string_view_t> texts =
      multipart::split_multipart_body(body, *mark);
  if (texts.empty()) {
    return Invalid("no parts between the boundaries, or no closing boundary");
  }
  std::vector<FormPart> parts;
  parts.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    auto part = ParsePart(texts[i], i);
    if (!part) return std::move(part).error();
    parts.push_back(std::move(*part));
  }
  return parts;
}

}  // namespace eventface::http
