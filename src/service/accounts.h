// Accounts and sessions: who is asking, and what they may do.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "service/service_context.h"
#include "store/user_store.h"

namespace eventface::service {

// The signed-in user a request acts for.
struct Principal {
  int64_t user_id = 0;
  store::Role role = store::Role::kAttendee;
  std::string email;
  std::string name;

  bool is_admin() const { return role == store::Role::kAdmin; }
};

// A new session: the token to hand to the client (never stored), and when
// it stops working.
struct SessionGrant {
  std::string token;
  Timestamp expires_at;
  Principal user;
};

struct NewAccount {
  std::string email;
  std::string name;
  store::Role role = store::Role::kAttendee;
  std::string password;
};

// What an admin may change about a user; unset members stay.
struct AccountChanges {
  std::optional<std::string> name = std::nullopt;
  std::optional<store::Role> role = std::nullopt;
  std::optional<std::string> password = std::nullopt;
};

struct AccountOptions {
  std::chrono::milliseconds session_lifetime = std::chrono::hours(24 * 30);
};

// `email` trimmed and lower-cased; kInvalidArgument unless it looks like
// an address (one @, something on each side, a dot in the domain).
Result<std::string> NormalizeEmail(std::string_view email);

// kInvalidArgument unless `name` has 1 to 200 characters after trimming.
Result<std::string> NormalizeName(std::string_view name);

// kForbidden unless `principal` has one of `roles`.
Status RequireRole(const Principal& principal,
                   std::initializer_list<store::Role> roles);

// Accounts, logins and sessions. Thread-safe; holds `context` by
// reference. Password hashing (tens of milliseconds) happens outside any
// transaction.
class Accounts {
 public:
  explicit Accounts(ServiceContext& context, AccountOptions options = {})
      : context_(context), options_(options) {}

  // Checks and hashes `account`'s password, then adds it. kInvalidArgument
  // for a bad email, name or password; kConflict for a taken email.
  Result<Principal> Create(const NewAccount& account);

  // As Create(), inside the caller's transaction, with the password
  // already hashed (HashNewPassword), so that registering and joining an
  // event commit together.
  Result<Principal> CreateIn(store::Transaction& tx, const NewAccount& account,
                             const std::string& password_hash);
  Result<std::string> HashNewPassword(std::string_view password) const;

  // A session for `email` and `password`; kUnauthenticated with one
  // message for an unknown email and a wrong password alike.
  Result<SessionGrant> Login(std::string_view email, std::string_view password);

  // A session for `user`, inside the caller's transaction.
  Result<SessionGrant> StartSession(store::Transaction& tx,
                                    const Principal& user);

  // Ends the session of `token`; an unknown token is already ended.
  Status Logout(std::string_view token);

  // The user whose live session `token` is; kUnauthenticated otherwise.
  Result<Principal> Authenticate(std::string_view token);

  // Admin only (kForbidden for others).
  Result<std::vector<store::User>> List(const Principal& admin);
  Status Update(const Principal& admin, int64_t user_id,
                const AccountChanges& changes);

  // How many accounts exist: zero means nobody can sign in yet.
  Result<int64_t> Count();

 private:
  ServiceContext& context_;
  AccountOptions options_;
};

}  // namespace eventface::service
