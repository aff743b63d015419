// The service's HTTP API: its use cases, and the helpers every API handler
// shares to learn who asks and to answer.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/result.h"
#include "http/handler.h"
#include "http/route_table.h"
#include "service/accounts.h"
#include "service/attendees.h"
#include "service/events.h"
#include "service/photos.h"

namespace eventface::http {

// The use cases the API routes call; built by `eventface serve` and
// outliving the server.
struct Api {
  service::Accounts& accounts;
  service::Events& events;
  service::Photos& photos;
  service::Attendees& attendees;
  // Set the session cookie with Secure (behind HTTPS).
  bool secure_cookies = false;
};

// The name of the session cookie the web pages use.
inline constexpr std::string_view kSessionCookie = "eventface_session";

// The session token of `request`: from "Authorization: Bearer T", else
// from the session cookie; "" when neither is there.
std::string SessionToken(const Request& request);

// The signed-in user of `request`; kUnauthenticated without a live
// session.
Result<service::Principal> Authenticate(const Api& api, const Request& request);

// A handler for signed-in users, and one for routes with an ":id": the
// wrappers below answer 401 without a live session (and 400 for a bad id)
// before calling them.
using SignedInHandler =
    std::function<Reply(const service::Principal&, const Request&)>;
using SignedInIdHandler =
    std::function<Reply(const service::Principal&, int64_t, const Request&)>;
Handler SignedIn(const Api& api, SignedInHandler handler);
Handler SignedInWithId(const Api& api, SignedInIdHandler handler);

// A Set-Cookie header that deletes the session cookie.
std::pair<std::string, std::string> ClearSessionCookie(const Api& api);

// The numeric path parameter `name`.
Result<int64_t> IdParam(const Request& request, const char* name = "id");

// 201 with the session as JSON and the session cookie set.
Reply SessionReply(const Api& api, int status,
                   const service::SessionGrant& grant,
                   nlohmann::json extra = nlohmann::json::object());

// 204 with no body.
Reply NoContent();

// Adds every API route to `routes`.
void RegisterApiRoutes(RouteTable& routes, const Api& api);

}  // namespace eventface::http
