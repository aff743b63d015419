#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/transaction.h"

namespace eventface::store {

// What an account may do: an admin everything, a photographer their own
// events, an attendee see the photos matched to them.
enum class Role { kAdmin, kPhotographer, kAttendee };

// "admin", "photographer", "attendee": as stored and as the API spells it.
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct NewUser {
  std::string email;  // already normalised (trimmed, lower case)
  std::string name;
  Role role = Role::kAttendee;
  std::string password_hash;  // argon2id, encoded
  Timestamp created_at;
};

struct User {
  int64_t id = 0;
  std::string email;
  std::string name;
  Role role = Role::kAttendee;
  std::string password_hash;
  Timestamp created_at;
};

// The accounts. A short-lived view on one transaction, like PhotoStore;
// not thread-safe. Every method fails with kInternal when the database
// does.
class UserStore {
 public:
  explicit UserStore(Transaction& tx) : tx_(tx) {}

  // Adds `user` and returns its id; kConflict when the email is taken.
  Result<int64_t> Add(const NewUser& user);

  // kNotFound when there is no such user.
  Result<User> Get(int64_t id);
  Result<User> FindByEmail(const std::string& email);

  // Every user, by id.
  Result<std::vector<User>> List();

  Result<int64_t> Count();

  // Changes the name, role or password hash of user `id` (each when set).
  // kNotFound when there is no such user.
  Status Update(int64_t id, const std::optional<std::string>& name,
                const std::optional<Role>& role,
                const std::optional<std::string>& password_hash);

  // Deletes user `id` with their sessions, memberships, selfie and
  // matches. kConflict while they own events; kNotFound if absent.
  Status Delete(int64_t id);

 private:
  Transaction& tx_;
};

}  // namespace eventface::store
