#include "store/event_store.h"

#include <soci/soci.h>

#include <utility>

#include "store/sql_call.h"

namespace eventface::store {
namespace {

constexpr char kEventColumns[] =
    "e.id, e.owner_id, e.name, e.code, e.event_date, e.retention_days, "
    "e.match_threshold, e.created_at";

struct EventRow {
  long long id = 0;
  long long owner_id = 0;
  std::string name;
  std::string code;
  long long event_date = 0;
  int retention_days = 0;
  double match_threshold = 0;
  soci::indicator threshold_null = soci::i_null;
  long long created_at = 0;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(owner_id));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(code));
    statement.exchange(soci::into(event_date));
    statement.exchange(soci::into(retention_days));
    statement.exchange(soci::into(match_threshold, threshold_null));
    statement.exchange(soci::into(created_at));
  }

  Event ToEvent() const {
    Event event{id,
                owner_id,
                name,
                code,
                FromMillis(event_date),
                retention_days,
                std::nullopt,
                FromMillis(created_at)};
    if (threshold_null == soci::i_ok) event.match_threshold = match_threshold;
    return event;
  }
};

// Runs "SELECT <columns> FROM events e <rest>" with `values` bound in
// order and returns every event.
template <typename... Value>
std::vector<Event> SelectEvents(soci::session& sql, const std::string& rest,
                                Value&... values) {
  EventRow row;
  soci::statement statement(sql);
  row.Bind(statement);
  (statement.exchange(soci::use(values)), ...);
  statement.alloc();
  statement.prepare(std::string("SELECT ") + kEventColumns + " FROM events e " +
                    rest);
  statement.define_and_bind();
  statement.execute();
  std::vector<Event> events;
  while (statement.fetch()) events.push_back(row.ToEvent());
  return events;
}

Error EventNotFound(const std::string& which) {
  return Error{ErrorCode::kNotFound, "event " + which + ": not found"};
}

constexpr char kNewestFirst[] = " ORDER BY e.event_date DESC, e.id DESC";

}  // namespace

Result<int64_t> EventStore::Add(const NewEvent& event) {
  return RunSql("add event", [&]() -> Result<int64_t> {
    long long owner_id = event.owner_id;
    long long event_date = ToMillis(event.event_date);
    long long created_at = ToMillis(event.created_at);
    double threshold = event.match_threshold.value_or(0);
    soci::indicator threshold_set =
        event.match_threshold ? soci::i_ok : soci::i_null;
    long long id = 0;
    tx_.sql() << "INSERT INTO events (owner_id, name, code, event_date, "
                 "retention_days, match_threshold, created_at) VALUES "
                 "(:owner, :name, :code, :date, :days, :threshold, :at) "
                 "ON CONFLICT (code) DO NOTHING RETURNING id",
        soci::use(owner_id), soci::use(event.name), soci::use(event.code),
        soci::use(event_date), soci::use(event.retention_days),
        soci::use(threshold, threshold_set), soci::use(created_at),
        soci::into(id);
    if (!tx_.sql().got_data()) {
      return Error{ErrorCode::kConflict,
                   "event code " + event.code + " is taken"};
    }
    return static_cast<int64_t>(id);
  });
}

Result<Event> EventStore::Get(int64_t id) {
  return RunSql("get event", [&]() -> Result<Event> {
    long long key = id;
    auto events = SelectEvents(tx_.sql(), "WHERE e.id = :id", key);
    if (events.empty()) return EventNotFound(std::to_string(id));
    return std::move(events.front());
  });
}

Result<Event> EventStore::FindByCode(const std::string& code) {
  return RunSql("find event", [&]() -> Result<Event> {
    std::string key = code;
    auto events = SelectEvents(tx_.sql(), "WHERE e.code = :code", key);
    if (events.empty()) {
      return Error{ErrorCode::kNotFound, "no event has the code " + code};
    }
    return std::move(events.front());
  });
}

Result<std::vector<Event>> EventStore::ListAll() {
  return RunSql("list events", [&]() -> Result<std::vector<Event>> {
    return SelectEvents(tx_.sql(), kNewestFirst);
  });
}

Result<std::vector<Event>> EventStore::ListByOwner(int64_t owner_id) {
  return RunSql("list events", [&]() -> Result<std::vector<Event>> {
    long long key = owner_id;
    return SelectEvents(tx_.sql(),
                        std::string("WHERE e.owner_id = :owner") + kNewestFirst,
                        key);
  });
}

Result<std::vector<Event>> EventStore::ListForMember(int64_t user_id) {
  return RunSql("list events", [&]() -> Result<std::vector<Event>> {
    long long key = user_id;
    return SelectEvents(tx_.sql(),
                        std::string("JOIN members m ON m.event_id = e.id "
                                    "WHERE m.user_id = :user") +
                            kNewestFirst,
                        key);
  });
}

Status EventStore::Update(int64_t id, const EventChanges& changes) {
  return RunSql("update event", [&]() -> Status {
    long long key = id;
    std::string name = changes.name.value_or("");
    long long date = changes.event_date ? ToMillis(*changes.event_date) : 0;
    int days = changes.retention_days.value_or(0);
    double threshold = changes.match_threshold.value_or(0);
    auto set = [](bool present) { return present ? soci::i_ok : soci::i_null; };
    soci::indicator name_set = set(changes.name.has_value());
    soci::indicator date_set = set(changes.event_date.has_value());
    soci::indicator days_set = set(changes.retention_days.has_value());
    soci::indicator threshold_set = set(changes.match_threshold.has_value());
    soci::statement update =
        (tx_.sql().prepare
             << "UPDATE events SET name = COALESCE(:name, name), "
                "event_date = COALESCE(:date, event_date), "
                "retention_days = COALESCE(:days, retention_days), "
                "match_threshold = COALESCE(:threshold, match_threshold) "
                "WHERE id = :id",
         soci::use(name, name_set), soci::use(date, date_set),
         soci::use(days, days_set), soci::use(threshold, threshold_set),
         soci::use(key));
    update.execute(true);
    if (update.get_affected_rows() == 0) {
      return EventNotFound(std::to_string(id));
    }
    return Status();
  });
}

Status EventStore::Delete(int64_t id) {
  return RunSql("delete event", [&]() -> Status {
    long long key = id;
    soci::statement remove =
        (tx_.sql().prepare << "DELETE FROM events WHERE id = :id",
         soci::use(key));
    remove.execute(true);
    if (remove.get_affected_rows() == 0) {
      return EventNotFound(std::to_string(id));
    }
    return Status();
  });
}

Status EventStore::AddMember(int64_t event_id, int64_t user_id,
                             Timestamp joined_at) {
  return RunSql("add member", [&]() -> Status {
    long long event = event_id;
    long long user = user_id;
    long long at = ToMillis(joined_at);
    tx_.sql() << "INSERT INTO members (event_id, user_id, joined_at) "
                 "VALUES (:event, :user, :at) ON CONFLICT DO NOTHING",
        soci::use(event), soci::use(user), soci::use(at);
    return Status();
  });
}

Result<bool> EventStore::IsMember(int64_t event_id, int64_t user_id) {
  return RunSql("check member", [&]() -> Result<bool> {
    long long event = event_id;
    long long user = user_id;
    long long count = 0;
    tx_.sql() << "SELECT COUNT(*) FROM members WHERE event_id = :event "
                 "AND user_id = :user",
        soci::use(event), soci::use(user), soci::into(count);
    return count > 0;
  });
}

}  // namespace eventface::store
