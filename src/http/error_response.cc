#include "http/error_response.h"

#include <utility>

namespace eventface::http {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupportedFormat:
      return 415;
    // A photo whose bytes break their format, or a selfie without a face,
    // is a well-formed request the service cannot act on.
    case ErrorCode::kCorruptData:
    case ErrorCode::kNoFace:
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kIoError:
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
  }
  return 500;
}

Reply ErrorReply(const Error& error) {
  nlohmann::json body = {{"error",
                          {{"code", std::string(ErrorCodeName(error.code))},
                           {"message", error.message}}}};
  return JsonReply(HttpStatusFor(error.code), body);
}

Reply ErrorReply(ErrorCode code, std::string message) {
  return ErrorReply(Error{code, std::move(message)});
}

Reply JsonReply(int status, const nlohmann::json& body) {
  Reply reply;
  reply.status = status;
  reply.content_type = "application/json";
  // Replace rather than throw on invalid UTF-8: a message quoting a
  // client's bytes must not turn an error answer into a 500.
  reply.body =
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

}  // namespace eventface::http
