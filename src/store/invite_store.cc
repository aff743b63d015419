#include "store/invite_store.h"

#include <soci/soci.h>

#include <utility>

#include "store/sql_call.h"

namespace eventface::store {
namespace {

struct InviteRow {
  long long id = 0;
  long long event_id = 0;
  std::string token_hash;
  std::string email;
  long long expires_at = 0;
  long long used_at = 0;
  long long used_by = 0;
  soci::indicator email_null = soci::i_null;
  soci::indicator used_at_null = soci::i_null;
  soci::indicator used_by_null = soci::i_null;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(event_id));
    statement.exchange(soci::into(token_hash));
    statement.exchange(soci::into(email, email_null));
    statement.exchange(soci::into(expires_at));
    statement.exchange(soci::into(used_at, used_at_null));
    statement.exchange(soci::into(used_by, used_by_null));
  }

  Invite ToInvite() const {
    Invite invite{id,
                  event_id,
                  token_hash,
                  std::nullopt,
                  FromMillis(expires_at),
                  std::nullopt,
                  std::nullopt};
    if (email_null == soci::i_ok) invite.email = email;
    if (used_at_null == soci::i_ok) invite.used_at = FromMillis(used_at);
    if (used_by_null == soci::i_ok) invite.used_by = used_by;
    return invite;
  }
};

template <typename Value>
std::vector<Invite> SelectInvites(soci::session& sql, const std::string& where,
                                  Value& value) {
  InviteRow row;
  soci::statement statement(sql);
  row.Bind(statement);
  statement.exchange(soci::use(value));
  statement.alloc();
  statement.prepare(
      "SELECT id, event_id, token_hash, email, expires_at, used_at, used_by "
      "FROM invites " +
      where);
  statement.define_and_bind();
  statement.execute();
  std::vector<Invite> invites;
  while (statement.fetch()) invites.push_back(row.ToInvite());
  return invites;
}

}  // namespace

Result<int64_t> InviteStore::Add(const Invite& invite) {
  return RunSql("add invite", [&]() -> Result<int64_t> {
    long long event_id = invite.event_id;
    long long expires_at = ToMillis(invite.expires_at);
    std::string email = invite.email.value_or("");
    soci::indicator email_set = invite.email ? soci::i_ok : soci::i_null;
    long long id = 0;
    tx_.sql() << "INSERT INTO invites (event_id, token_hash, email, "
                 "expires_at) VALUES (:event, :hash, :email, :expires) "
                 "RETURNING id",
        soci::use(event_id), soci::use(invite.token_hash),
        soci::use(email, email_set), soci::use(expires_at), soci::into(id);
    return static_cast<int64_t>(id);
  });
}

Result<Invite> InviteStore::FindByTokenHash(const std::string& token_hash) {
  return RunSql("find invite", [&]() -> Result<Invite> {
    std::string key = token_hash;
    auto invites = SelectInvites(tx_.sql(), "WHERE token_hash = :hash", key);
    if (invites.empty()) {
      return Error{ErrorCode::kNotFound, "this invite link is not valid"};
    }
    return std::move(invites.front());
  });
}

Result<std::vector<Invite>> InviteStore::ListByEvent(int64_t event_id) {
  return RunSql("list invites", [&]() -> Result<std::vector<Invite>> {
    long long key = event_id;
    return SelectInvites(tx_.sql(), "WHERE event_id = :event ORDER BY id DESC",
                         key);
  });
}

Status InviteStore::MarkUsed(int64_t id, int64_t user_id, Timestamp at) {
  return RunSql("use invite", [&]() -> Status {
    long long key = id;
    long long user = user_id;
    long long used_at = ToMillis(at);
    soci::statement update =
        (tx_.sql().prepare << "UPDATE invites SET used_at = :at, "
                              "used_by = :user WHERE id = :id AND "
                              "used_at IS NULL",
         soci::use(used_at), soci::use(user), soci::use(key));
    update.execute(true);
    if (update.get_affected_rows() == 0) {
      return Error{ErrorCode::kConflict, "this invite link was already used"};
    }
    return Status();
  });
}

}  // namespace eventface::store
