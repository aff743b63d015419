#include "service/accounts.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "service/passwords.h"
#include "service/tokens.h"
#include "store/session_store.h"

namespace eventface::service {
namespace {

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

Principal ToPrincipal(const store::User& user) {
  return Principal{user.id, user.role, user.email, user.name};
}

Error BadLogin() {
  return Error{ErrorCode::kUnauthenticated, "wrong email or password"};
}

}  // namespace

Result<std::string> NormalizeEmail(std::string_view email) {
  std::string text(Trim(email));
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  size_t at = text.find('@');
  bool valid = text.size() <= 254 && at != std::string::npos && at > 0 &&
               text.find('@', at + 1) == std::string::npos &&
               text.find('.', at + 2) != std::string::npos &&
               text.back() != '.' &&
               text.find_first_of(" \t\r\n<>,;\"") == std::string::npos;
  if (!valid) {
    return Error{ErrorCode::kInvalidArgument,
                 "\"" + std::string(email) + "\" is not an email address"};
  }
  return text;
}

Result<std::string> NormalizeName(std::string_view name) {
  std::string_view trimmed = Trim(name);
  if (trimmed.empty() || trimmed.size() > 200) {
    return Error{ErrorCode::kInvalidArgument,
                 "a name must have 1 to 200 characters"};
  }
  return std::string(trimmed);
}

Status RequireRole(const Principal& principal,
                   std::initializer_list<store::Role> roles) {
  if (std::find(roles.begin(), roles.end(), principal.role) != roles.end()) {
    return Status();
  }
  return Error{ErrorCode::kForbidden,
               "an account with the role " +
                   std::string(store::RoleName(principal.role)) +
                   " may not do this"};
}

Result<std::string> Accounts::HashNewPassword(std::string_view password) const {
  if (Status rules = CheckPasswordRules(password); !rules) return rules.error();
  return HashPassword(password);
}

Result<Principal> Accounts::Create(const NewAccount& account) {
  auto hash = HashNewPassword(account.password);
  if (!hash) return hash.error();
  return context_.database.WithTransaction(
      [&](store::Transaction& tx) { return CreateIn(tx, account, *hash); });
}

Result<Principal> Accounts::CreateIn(store::Transaction& tx,
                                     const NewAccount& account,
                                     const std::string& password_hash) {
  auto email = NormalizeEmail(account.email);
  if (!email) return email.error();
  auto name = NormalizeName(account.name);
  if (!name) return name.error();
  store::NewUser user{*email, *name, account.role, password_hash,
                      context_.clock.Now()};
  auto id = store::UserStore(tx).Add(user);
  if (!id) return id.error();
  spdlog::info("[accounts] user {} created ({})", *id,
               store::RoleName(account.role));
  return Principal{*id, account.role, *email, *name};
}

Result<SessionGrant> Accounts::Login(std::string_view email,
                                     std::string_view password) {
  auto normalized = NormalizeEmail(email);
  if (!normalized) return BadLogin();
  auto user =
      context_.database.WithReadTransaction([&](store::Transaction& tx) {
        return store::UserStore(tx).FindByEmail(*normalized);
      });
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) return user.error();
    // Spend the time a real check takes, so that timing does not tell
    // which emails have accounts.
    static const std::string kDecoy = HashPassword("decoy password").value();
    VerifyPassword(password, kDecoy);
    return BadLogin();
  }
  if (!VerifyPassword(password, user->password_hash)) return BadLogin();
  return context_.database.WithTransaction([&](store::Transaction& tx) {
    return StartSession(tx, ToPrincipal(*user));
  });
}

Result<SessionGrant> Accounts::StartSession(store::Transaction& tx,
                                            const Principal& user) {
  SessionGrant grant{NewToken(),
                     context_.clock.Now() + options_.session_lifetime, user};
  store::Session session{TokenHash(grant.token), user.user_id,
                         context_.clock.Now(), grant.expires_at};
  if (Status added = store::SessionStore(tx).Add(session); !added) {
    return added.error();
  }
  return grant;
}

Status Accounts::Logout(std::string_view token) {
  return context_.database.WithTransaction([&](store::Transaction& tx) {
    return store::SessionStore(tx).Delete(TokenHash(token));
  });
}

Result<Principal> Accounts::Authenticate(std::string_view token) {
  if (token.empty()) {
    return Error{ErrorCode::kUnauthenticated,
                 "sign in first: no session token was sent"};
  }
  return context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<Principal> {
        auto session = store::SessionStore(tx).FindLive(TokenHash(token),
                                                        context_.clock.Now());
        if (!session) return session.error();
        auto user = store::UserStore(tx).Get(session->user_id);
        if (!user) return user.error();
        return ToPrincipal(*user);
      });
}

Result<std::vector<store::User>> Accounts::List(const Principal& admin) {
  if (Status allowed = RequireRole(admin, {store::Role::kAdmin}); !allowed) {
    return allowed.error();
  }
  return context_.database.WithReadTransaction(
      [](store::Transaction& tx) { return store::UserStore(tx).List(); });
}

Status Accounts::Update(const Principal& admin, int64_t user_id,
                        const AccountChanges& changes) {
  if (Status allowed = RequireRole(admin, {store::Role::kAdmin}); !allowed) {
    return allowed;
  }
  std::optional<std::string> name;
  if (changes.name) {
    auto normalized = NormalizeName(*changes.name);
    if (!normalized) return normalized.error();
    name = *normalized;
  }
  std::optional<std::string> hash;
  if (changes.password) {
    auto hashed = HashNewPassword(*changes.password);
    if (!hashed) return hashed.error();
    hash = *hashed;
  }
  return context_.database.WithTransaction([&](store::Transaction& tx) {
    return store::UserStore(tx).Update(user_id, name, changes.role, hash);
  });
}

Result<int64_t> Accounts::Count() {
  return context_.database.WithReadTransaction(
      [](store::Transaction& tx) { return store::UserStore(tx).Count(); });
}

}  // namespace eventface::service
