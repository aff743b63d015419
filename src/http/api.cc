#include "http/api.h"

#include <algorithm>
#include <chrono>

#include "http/api_json.h"
#include "http/cookies.h"
#include "http/error_response.h"

namespace eventface::http {

std::string SessionToken(const Request& request) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view authorization = request.header("Authorization");
  if (authorization.starts_with(kBearer)) {
    return std::string(authorization.substr(kBearer.size()));
  }
  return request.cookie(kSessionCookie);
}

Result<service::Principal> Authenticate(const Api& api,
                                        const Request& request) {
  return api.accounts.Authenticate(SessionToken(request));
}

Handler SignedIn(const Api& api, SignedInHandler handler) {
  return [&api, handler = std::move(handler)](const Request& request) {
    auto principal = Authenticate(api, request);
    if (!principal) return ErrorReply(principal.error());
    return handler(*principal, request);
  };
}

Handler SignedInWithId(const Api& api, SignedInIdHandler handler) {
  return [&api, handler = std::move(handler)](const Request& request) {
    auto principal = Authenticate(api, request);
    if (!principal) return ErrorReply(principal.error());
    auto id = IdParam(request);
    if (!id) return ErrorReply(id.error());
    return handler(*principal, *id, request);
  };
}

std::pair<std::string, std::string> ClearSessionCookie(const Api& api) {
  return {"Set-Cookie",
          SetCookieValue(kSessionCookie, "", std::chrono::seconds(0),
                         api.secure_cookies)};
}

Result<int64_t> IdParam(const Request& request, const char* name) {
  return request.param_as<int64_t>(name);
}

Reply SessionReply(const Api& api, int status,
                   const service::SessionGrant& grant, nlohmann::json extra) {
  extra["token"] = grant.token;
  extra["expires_at"] = FormatTime(grant.expires_at);
  extra["user"] = PrincipalJson(grant.user);
  Reply reply = JsonReply(status, extra);
  auto lifetime =
      std::max(std::chrono::seconds(0),
               std::chrono::duration_cast<std::chrono::seconds>(
                   grant.expires_at - std::chrono::system_clock::now()));
  reply.headers.emplace_back(
      "Set-Cookie", SetCookieValue(kSessionCookie, grant.token, lifetime,
                                   api.secure_cookies));
  return reply;
}

Reply NoContent() {
  Reply reply;
  reply.status = 204;
  reply.content_type.clear();
  return reply;
}

}  // namespace eventface::http
