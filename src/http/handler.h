#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <restinio/cast_to.hpp>
#include <restinio/request_handler.hpp>
#include <restinio/router/express.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/cookies.h"

namespace eventface::http {

// One HTTP answer, built by a handler and sent by the route table, which
// adds the request id header, the access log line and the metrics.
struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the answer's body is this file, sent with sendfile and its
  // size as Content-Length, and `body` is ignored. A file that cannot be
  // opened turns the answer into a 404 JSON error.
  std::optional<std::filesystem::path> file;
  // Extra headers, sent in this order after the standard ones.
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a handler sees of one request. Valid only during the handler call;
// copy out whatever must outlive it.
class Request {
 public:
  Request(const restinio::request_t& raw,
          const restinio::router::route_params_t& params,
          std::string_view request_id)
      : raw_(raw), params_(params), request_id_(request_id) {}

  // The id tagging this request's log lines and its X-Request-Id header.
  std::string_view request_id() const { return request_id_; }

  // The value of header `name` (any case), or "" when it is absent.
  std::string_view header(std::string_view name) const {
    auto value = raw_.header().try_get_field(name);
    return value ? std::string_view(*value) : std::string_view();
  }

  std::string_view content_type() const { return header("Content-Type"); }

  // The value of cookie `name` (unquoted), or "" when there is none.
  std::string cookie(std::string_view name) const {
    return FindCookie(header("Cookie"), name);
  }
  std::string_view body() const { return raw_.body(); }

  // The path parameter `name` (":id" in the route), or "" when the route
  // has none of that name. Its regex in the route has already checked it.
  std::string_view param(std::string_view name) const {
    auto value = params_.get_param(name);
    return value ? std::string_view(*value) : std::string_view();
  }

  // The path parameter `name` converted to T (a number, usually) with
  // RESTinio's cast_to. Fails with kInvalidArgument naming the parameter
  // when it is absent or does not convert (out of range, say).
  template <typename T>
  Result<T> param_as(std::string_view name) const {
    try {
      return restinio::cast_to<T>(params_[name]);
    } catch (const std::exception&) {
      return Error{ErrorCode::kInvalidArgument,
                   "path parameter \"" + std::string(name) + "\" is invalid"};
    }
  }

  // RESTinio's request, for what the accessors above do not cover.
  const restinio::request_t& raw() const { return raw_; }

 private:
  const restinio::request_t& raw_;
  const restinio::router::route_params_t& params_;
  std::string_view request_id_;
};

// A route's handler: runs on one of the server's handler threads, so it
// may wait on the database or hash a password, but it holds that thread
// meanwhile: never face work. Exceptions that escape it are answered with
// 500 and logged.
using Handler = std::function<Reply(const Request&)>;

}  // namespace eventface::http
