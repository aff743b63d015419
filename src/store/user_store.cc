#include "store/user_store.h"

#include <soci/soci.h>

#include <array>
#include <utility>

#include "store/sql_call.h"

namespace eventface::store {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoleNames = {{
    {Role::kAdmin, "admin"},
    {Role::kPhotographer, "photographer"},
    {Role::kAttendee, "attendee"},
}};

constexpr char kUserColumns[] =
    "id, email, name, role, password_hash, created_at";

struct UserRow {
  long long id = 0;
  std::string email;
  std::string name;
  std::string role;
  std::string password_hash;
  long long created_at = 0;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(email));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(role));
    statement.exchange(soci::into(password_hash));
    statement.exchange(soci::into(created_at));
  }

  User ToUser() const {
    // The CHECK constraint keeps other names out of the table.
    return User{id,
                email,
                name,
                ParseRole(role).value_or(Role::kAttendee),
                password_hash,
                FromMillis(created_at)};
  }
};

// Runs `select`, with `value` bound when given, and returns every user.
template <typename... Value>
std::vector<User> SelectUsers(soci::session& sql, const std::string& select,
                              Value&... value) {
  UserRow row;
  soci::statement statement(sql);
  row.Bind(statement);
  (statement.exchange(soci::use(value)), ...);
  statement.alloc();
  statement.prepare(select);
  statement.define_and_bind();
  statement.execute();
  std::vector<User> users;
  while (statement.fetch()) users.push_back(row.ToUser());
  return users;
}

Error UserNotFound(const std::string& who) {
  return Error{ErrorCode::kNotFound, "user " + who + ": not found"};
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "attendee";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [value, role_name] : kRoleNames) {
    if (role_name == name) return value;
  }
  return std::nullopt;
}

Result<int64_t> UserStore::Add(const NewUser& user) {
  return RunSql("add user", [&]() -> Result<int64_t> {
    std::string role(RoleName(user.role));
    long long created_at = ToMillis(user.created_at);
    long long id = 0;
    tx_.sql() << "INSERT INTO users (email, name, role, password_hash, "
                 "created_at) VALUES (:email, :name, :role, :hash, :at) "
                 "ON CONFLICT (email) DO NOTHING RETURNING id",
        soci::use(user.email), soci::use(user.name), soci::use(role),
        soci::use(user.password_hash), soci::use(created_at), soci::into(id);
    if (!tx_.sql().got_data()) {
      return Error{ErrorCode::kConflict,
                   "an account with this email already exists"};
    }
    return static_cast<int64_t>(id);
  });
}

Result<User> UserStore::Get(int64_t id) {
  return RunSql("get user", [&]() -> Result<User> {
    long long key = id;
    auto users = SelectUsers(
        tx_.sql(),
        std::string("SELECT ") + kUserColumns + " FROM users WHERE id = :id",
        key);
    if (users.empty()) return UserNotFound(std::to_string(id));
    return std::move(users.front());
  });
}

Result<User> UserStore::FindByEmail(const std::string& email) {
  return RunSql("find user", [&]() -> Result<User> {
    std::string key = email;
    auto users = SelectUsers(tx_.sql(),
                             std::string("SELECT ") + kUserColumns +
                                 " FROM users WHERE email = :email",
                             key);
    if (users.empty()) return UserNotFound(email);
    return std::move(users.front());
  });
}

Result<std::vector<User>> UserStore::List() {
  return RunSql("list users", [&]() -> Result<std::vector<User>> {
    return SelectUsers(tx_.sql(), std::string("SELECT ") + kUserColumns +
                                      " FROM users ORDER BY id");
  });
}

Result<int64_t> UserStore::Count() {
  return RunSql("count users", [&]() -> Result<int64_t> {
    long long count = 0;
    tx_.sql() << "SELECT COUNT(*) FROM users", soci::into(count);
    return static_cast<int64_t>(count);
  });
}

Status UserStore::Update(int64_t id, const std::optional<std::string>& name,
                         const std::optional<Role>& role,
                         const std::optional<std::string>& password_hash) {
  return RunSql("update user", [&]() -> Status {
    long long key = id;
    std::string new_name = name.value_or("");
    std::string new_role(role ? RoleName(*role) : "");
    std::string new_hash = password_hash.value_or("");
    soci::indicator name_set = name ? soci::i_ok : soci::i_null;
    soci::indicator role_set = role ? soci::i_ok : soci::i_null;
    soci::indicator hash_set = password_hash ? soci::i_ok : soci::i_null;
    soci::statement update =
        (tx_.sql().prepare << "UPDATE users SET name = COALESCE(:name, name), "
                              "role = COALESCE(:role, role), "
                              "password_hash = COALESCE(:hash, password_hash) "
                              "WHERE id = :id",
         soci::use(new_name, name_set), soci::use(new_role, role_set),
         soci::use(new_hash, hash_set), soci::use(key));
    update.execute(true);
    if (update.get_affected_rows() == 0) {
      return UserNotFound(std::to_string(id));
    }
    return Status();
  });
}

Status UserStore::Delete(int64_t id) {
  return RunSql("delete user", [&]() -> Status {
    long long key = id;
    long long owned = 0;
    tx_.sql() << "SELECT COUNT(*) FROM events WHERE owner_id = :id",
        soci::use(key), soci::into(owned);
    if (owned > 0) {
      return Error{ErrorCode::kConflict, "user " + std::to_string(id) +
                                             " owns " + std::to_string(owned) +
                                             " events; delete them first"};
    }
    soci::statement remove =
        (tx_.sql().prepare << "DELETE FROM users WHERE id = :id",
         soci::use(key));
    remove.execute(true);
    if (remove.get_affected_rows() == 0) {
      return UserNotFound(std::to_string(id));
    }
    return Status();
  });
}

}  // namespace eventface::store
