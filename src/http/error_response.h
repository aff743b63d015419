#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "http/handler.h"

namespace eventface::http {

// The HTTP status that answers an error of `code`: the one place where
// error codes meet statuses.
int HttpStatusFor(ErrorCode code);

// The answer to `error`: its status and the JSON body
// {"error": {"code": "not_found", "message": "..."}}.
Reply ErrorReply(const Error& error);
Reply ErrorReply(ErrorCode code, std::string message);

// A JSON success answer: `body` serialised, with status `status`.
Reply JsonReply(int status, const nlohmann::json& body);
inline Reply JsonReply(const nlohmann::json& body) {
  return JsonReply(200, body);
}

}  // namespace eventface::http
