// UserStore, SessionStore, EventStore and InviteStore on every back end.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "store/event_store.h"
#include "store/invite_store.h"
#include "store/session_store.h"
#include "store/test_database.h"
#include "store/user_store.h"

namespace eventface::store {
namespace {

using ::eventface::testing::DatabaseTest;
using std::chrono::milliseconds;

Timestamp At(long long ms) { return Timestamp(milliseconds(ms)); }

class AccountStoresTest : public DatabaseTest {
 protected:
  template <typename Fn>
  auto Tx(Fn&& fn) {
    return database().WithTransaction(std::forward<Fn>(fn));
  }

  int64_t AddUser(const std::string& email, Role role) {
    auto id = Tx([&](Transaction& tx) {
      return UserStore(tx).Add({email, "Name", role, "hash", At(1)});
    });
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  int64_t AddEventOf(int64_t owner, const std::string& code,
                     long long date = 1000) {
    auto id = Tx([&](Transaction& tx) {
      return EventStore(tx).Add(
          {owner, "Wedding", code, At(date), 90, std::nullopt, At(1)});
    });
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }
};

TEST_P(AccountStoresTest, UsersAreFoundByIdAndEmail) {
  int64_t id = AddUser("amy@example.test", Role::kPhotographer);
  auto by_email = Tx([&](Transaction& tx) {
    return UserStore(tx).FindByEmail("amy@example.test");
  });
  ASSERT_TRUE(by_email) << by_email.error().message;
  EXPECT_EQ(by_email->id, id);
  EXPECT_EQ(by_email->role, Role::kPhotographer);
  EXPECT_EQ(by_email->password_hash, "hash");

  auto missing = Tx(
      [&](Transaction& tx) { return UserStore(tx).FindByEmail("x@y.test"); });
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(AccountStoresTest, TakenEmailIsAConflictAndChangesNothing) {
  AddUser("amy@example.test", Role::kAttendee);
  auto again = Tx([&](Transaction& tx) {
    return UserStore(tx).Add(
        {"amy@example.test", "Other", Role::kAdmin, "h", At(2)});
  });
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto count = Tx([&](Transaction& tx) { return UserStore(tx).Count(); });
  EXPECT_EQ(*count, 1);
}

TEST_P(AccountStoresTest, UpdateChangesOnlyWhatIsGiven) {
  int64_t id = AddUser("amy@example.test", Role::kAttendee);
  ASSERT_TRUE(Tx([&](Transaction& tx) {
    return UserStore(tx).Update(id, std::nullopt, Role::kPhotographer,
                                std::nullopt);
  }));
  auto user = Tx([&](Transaction& tx) { return UserStore(tx).Get(id); });
  EXPECT_EQ(user->role, Role::kPhotographer);
  EXPECT_EQ(user->name, "Name");
  EXPECT_EQ(user->password_hash, "hash");
  auto missing = Tx([&](Transaction& tx) {
    return UserStore(tx).Update(id + 100, "X", std::nullopt, std::nullopt);
  });
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(AccountStoresTest, OwnerOfEventsCannotBeDeleted) {
  int64_t owner = AddUser("p@example.test", Role::kPhotographer);
  int64_t event = AddEventOf(owner, "ABCDEFGH");
  auto refused =
      Tx([&](Transaction& tx) { return UserStore(tx).Delete(owner); });
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(
      Tx([&](Transaction& tx) { return EventStore(tx).Delete(event); }));
  EXPECT_TRUE(Tx([&](Transaction& tx) { return UserStore(tx).Delete(owner); }));
}

TEST_P(AccountStoresTest, SessionsExpireAndGoWithTheirUser) {
  int64_t user = AddUser("amy@example.test", Role::kAttendee);
  ASSERT_TRUE(Tx([&](Transaction& tx) {
    return SessionStore(tx).Add({"h1", user, At(0), At(100)});
  }));
  auto live = Tx(
      [&](Transaction& tx) { return SessionStore(tx).FindLive("h1", At(99)); });
  ASSERT_TRUE(live) << live.error().message;
  EXPECT_EQ(live->user_id, user);
  auto expired = Tx([&](Transaction& tx) {
    return SessionStore(tx).FindLive("h1", At(100));
  });
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);

  ASSERT_TRUE(Tx([&](Transaction& tx) { return UserStore(tx).Delete(user); }));
  auto gone = Tx(
      [&](Transaction& tx) { return SessionStore(tx).FindLive("h1", At(1)); });
  EXPECT_EQ(gone.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AccountStoresTest, DeleteExpiredKeepsLiveSessions) {
  int64_t user = AddUser("amy@example.test", Role::kAttendee);
  ASSERT_TRUE(Tx([&](Transaction& tx) {
    SessionStore sessions(tx);
    if (Status s = sessions.Add({"old", user, At(0), At(10)}); !s) return s;
    return sessions.Add({"new", user, At(0), At(1000)});
  }));
  auto removed = Tx(
      [&](Transaction& tx) { return SessionStore(tx).DeleteExpired(At(50)); });
  EXPECT_EQ(*removed, 1);
  EXPECT_TRUE(Tx([&](Transaction& tx) {
    return SessionStore(tx).FindLive("new", At(50));
  }));
}

TEST_P(AccountStoresTest, EventCodesAreUnique) {
  int64_t owner = AddUser("p@example.test", Role::kPhotographer);
  AddEventOf(owner, "ABCDEFGH");
  auto clash = Tx([&](Transaction& tx) {
    return EventStore(tx).Add(
        {owner, "Other", "ABCDEFGH", At(0), 90, std::nullopt, At(1)});
  });
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
}

TEST_P(AccountStoresTest, EventsListByOwnerAndMemberNewestFirst) {
  int64_t amy = AddUser("amy@example.test", Role::kPhotographer);
  int64_t bob = AddUser("bob@example.test", Role::kPhotographer);
  int64_t old_event = AddEventOf(amy, "AAAAAAAA", 1000);
  int64_t new_event = AddEventOf(amy, "BBBBBBBB", 2000);
  int64_t bobs = AddEventOf(bob, "CCCCCCCC");
  int64_t guest = AddUser("guest@example.test", Role::kAttendee);
  ASSERT_TRUE(Tx([&](Transaction& tx) {
    EventStore events(tx);
    if (Status s = events.AddMember(bobs, guest, At(5)); !s) return s;
    // Joining twice is still one membership.
    return events.AddMember(bobs, guest, At(6));
  }));

  auto owned =
      Tx([&](Transaction& tx) { return EventStore(tx).ListByOwner(amy); });
  ASSERT_EQ(owned->size(), 2u);
  EXPECT_EQ((*owned)[0].id, new_event);
  EXPECT_EQ((*owned)[1].id, old_event);

  auto joined =
      Tx([&](Transaction& tx) { return EventStore(tx).ListForMember(guest); });
  ASSERT_EQ(joined->size(), 1u);
  EXPECT_EQ((*joined)[0].code, "CCCCCCCC");
  EXPECT_TRUE(*Tx(
      [&](Transaction& tx) { return EventStore(tx).IsMember(bobs, guest); }));
  EXPECT_FALSE(*Tx([&](Transaction& tx) {
    return EventStore(tx).IsMember(old_event, guest);
  }));
  auto all = Tx([&](Transaction& tx) { return EventStore(tx).ListAll(); });
  EXPECT_EQ(all->size(), 3u);
}

TEST_P(AccountStoresTest, EventUpdateKeepsUnsetFields) {
  int64_t owner = AddUser("p@example.test", Role::kPhotographer);
  int64_t id = AddEventOf(owner, "ABCDEFGH");
  EventChanges changes;
  changes.name = "Renamed";
  changes.match_threshold = 0.55;
  ASSERT_TRUE(
      Tx([&](Transaction& tx) { return EventStore(tx).Update(id, changes); }));
  auto event = Tx([&](Transaction& tx) { return EventStore(tx).Get(id); });
  EXPECT_EQ(event->name, "Renamed");
  EXPECT_EQ(event->code, "ABCDEFGH");
  EXPECT_EQ(event->retention_days, 90);
  ASSERT_TRUE(event->match_threshold);
  EXPECT_DOUBLE_EQ(*event->match_threshold, 0.55);
  auto by_code = Tx(
      [&](Transaction& tx) { return EventStore(tx).FindByCode("ABCDEFGH"); });
  EXPECT_EQ(by_code->id, id);
  auto missing = Tx(
      [&](Transaction& tx) { return EventStore(tx).FindByCode("ZZZZZZZZ"); });
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(AccountStoresTest, InviteIsUsedOnce) {
  int64_t owner = AddUser("p@example.test", Role::kPhotographer);
  int64_t event = AddEventOf(owner, "ABCDEFGH");
  int64_t guest = AddUser("g@example.test", Role::kAttendee);
  auto id = Tx([&](Transaction& tx) {
    return InviteStore(tx).Add(
        {0, event, "tokenhash", "g@example.test", At(500), {}, {}});
  });
  ASSERT_TRUE(id) << id.error().message;
  auto invite = Tx([&](Transaction& tx) {
    return InviteStore(tx).FindByTokenHash("tokenhash");
  });
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->email, "g@example.test");
  EXPECT_FALSE(invite->used_at);

  EXPECT_TRUE(Tx([&](Transaction& tx) {
    return InviteStore(tx).MarkUsed(*id, guest, At(10));
  }));
  auto again = Tx([&](Transaction& tx) {
    return InviteStore(tx).MarkUsed(*id, guest, At(11));
  });
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto listed =
      Tx([&](Transaction& tx) { return InviteStore(tx).ListByEvent(event); });
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].used_by, guest);
}

EVENTFACE_ALL_BACKENDS(AccountStoresTest);

}  // namespace
}  // namespace eventface::store
