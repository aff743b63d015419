// Handlers of the account routes; RegisterApiRoutes() says which path each
// answers.
#pragma once

#include "http/api.h"

namespace eventface::http {

Handler LoginRoute(const Api& api);       // {email, password} -> session
Handler LogoutRoute(const Api& api);      // ends the session: 204
Handler MeRoute(const Api& api);          // the signed-in user
Handler DeleteMeRoute(const Api& api);    // deletes the account: 204
Handler ListUsersRoute(const Api& api);   // admin
Handler CreateUserRoute(const Api& api);  // admin: {email, name, role, ...}
Handler UpdateUserRoute(const Api& api);  // admin: {name?, role?, password?}
Handler DeleteUserRoute(const Api& api);  // admin

}  // namespace eventface::http
