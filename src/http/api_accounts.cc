// The account routes: sign in and out, who am I, and admin user management.
#include "http/api_accounts.h"

#include "http/api_json.h"
#include "http/cookies.h"
#include "http/error_response.h"
#include "http/form.h"

namespace eventface::http {
namespace {

Result<store::Role> RoleField(const Form& form) {
  auto role = store::ParseRole(form.text("role"));
  if (!role) {
    return Error{ErrorCode::kInvalidArgument,
                 "field \"role\" must be admin, photographer or attendee"};
  }
  return *role;
}

}  // namespace

Handler LoginRoute(const Api& api) {
  return [&api](const Request& request) {
    static const FormField kFields[] = {{"email"}, {"password"}};
    auto form = ParseForm(request, kFields);
    if (!form) return ErrorReply(form.error());
    auto session =
        api.accounts.Login(form->text("email"), form->text("password"));
    if (!session) return ErrorReply(session.error());
    return SessionReply(api, 200, *session);
  };
}

Handler LogoutRoute(const Api& api) {
  return [&api](const Request& request) {
    if (Status ended = api.accounts.Logout(SessionToken(request)); !ended) {
      return ErrorReply(ended.error());
    }
    Reply reply = NoContent();
    reply.headers.push_back(ClearSessionCookie(api));
    return reply;
  };
}

Handler MeRoute(const Api& api) {
  return SignedIn(api,
                  [&api](const service::Principal& principal, const Request&) {
                    return JsonReply(PrincipalJson(principal));
                  });
}

Handler DeleteMeRoute(const Api& api) {
  return SignedIn(
      api, [&api](const service::Principal& principal, const Request&) {
        if (Status deleted = api.attendees.DeleteAccount(principal); !deleted) {
          return ErrorReply(deleted.error());
        }
        Reply reply = NoContent();
        reply.headers.push_back(ClearSessionCookie(api));
        return reply;
      });
}

Handler ListUsersRoute(const Api& api) {
  return SignedIn(api,
                  [&api](const service::Principal& principal, const Request&) {
                    auto users = api.accounts.List(principal);
                    if (!users) return ErrorReply(users.error());
                    nlohmann::json list = nlohmann::json::array();
                    for (const store::User& user : *users)
                      list.push_back(UserJson(user));
                    return JsonReply({{"users", list}});
                  });
}

Handler CreateUserRoute(const Api& api) {
  return SignedIn(api, [&api](const service::Principal& principal,
                              const Request& request) {
    if (Status admin = service::RequireRole(principal, {store::Role::kAdmin});
        !admin) {
      return ErrorReply(admin.error());
    }
    static const FormField kFields[] = {
        {"email"}, {"name"}, {"role"}, {"password"}};
    auto form = ParseForm(request, kFields);
    if (!form) return ErrorReply(form.error());
    auto role = RoleField(*form);
    if (!role) return ErrorReply(role.error());
    auto user = api.accounts.Create({form->text("email"), form->text("name"),
                                     *role, form->text("password")});
    if (!user) return ErrorReply(user.error());
    return JsonReply(201, PrincipalJson(*user));
  });
}

Handler UpdateUserRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request& request) {
    static const FormField kFields[] = {
        {"name", false}, {"role", false}, {"password", false}};
    auto form = ParseForm(request, kFields);
    if (!form) return ErrorReply(form.error());
    service::AccountChanges changes;
    if (form->has("name")) changes.name = form->text("name");
    if (form->has("password")) changes.password = form->text("password");
    if (form->has("role")) {
      auto role = RoleField(*form);
      if (!role) return ErrorReply(role.error());
      changes.role = *role;
    }
    if (Status updated = api.accounts.Update(principal, id, changes);
        !updated) {
      return ErrorReply(updated.error());
    }
    return NoContent();
  });
}

Handler DeleteUserRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    if (Status admin = service::RequireRole(principal, {store::Role::kAdmin});
        !admin) {
      return ErrorReply(admin.error());
    }
    service::Principal target{id, store::Role::kAttendee, "", ""};
    if (Status deleted = api.attendees.DeleteAccount(target); !deleted) {
      return ErrorReply(deleted.error());
    }
    return NoContent();
  });
}

}  // namespace eventface::http
