#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/transaction.h"

namespace eventface::store {

// A single-use link to join one event. Only the token's hash is stored.
struct Invite {
  int64_t id = 0;
  int64_t event_id = 0;
  std::string token_hash;
  std::optional<std::string> email;  // only this address may use it
  Timestamp expires_at;
  std::optional<Timestamp> used_at;
  std::optional<int64_t> used_by;
};

// The invites of events. A short-lived view on one transaction, like
// PhotoStore; not thread-safe. Fails with kInternal when the database does.
class InviteStore {
 public:
  explicit InviteStore(Transaction& tx) : tx_(tx) {}

  // Adds an unused invite (id and used_* of `invite` are ignored).
  Result<int64_t> Add(const Invite& invite);

  // kNotFound when no invite has this token.
  Result<Invite> FindByTokenHash(const std::string& token_hash);

  // Newest first.
  Result<std::vector<Invite>> ListByEvent(int64_t event_id);

  // Marks invite `id` used by `user_id`, unless it was used already:
  // then kConflict. Two concurrent redemptions: one wins.
  Status MarkUsed(int64_t id, int64_t user_id, Timestamp at);

 private:
  Transaction& tx_;
};

}  // namespace eventface::store
