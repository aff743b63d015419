// The job state machine. Every transition is one UPDATE inside one
// transaction; a transition that starts from a lease (Complete, Fail,
// ExtendLease) names the lease in its WHERE clause (id, owner and attempt
// number), so a worker whose lease was taken over changes nothing.
//
//                       Enqueue
//                          |
//                          v
//    +-------------->   queued   <-------------------+
//    |                     |                         |
//    | Fail with attempts  | Claim: the oldest due   | the lease expired
//    | left: due again     | job of the first lane;  | with attempts left
//    | after a back-off    | attempts + 1            | (the next Claim
//    |                     v                         | notices it)
//    +----------------  running  --------------------+
//                       |      |
//              Complete |      | Fail on the last attempt, or the lease
//                       v      v expired on the last attempt
//                     done   failed
//
// Release takes a running job back to queued without counting the attempt
// (a worker that shuts down mid-job). done and failed are final. A coalesced
// job that would go back to queued while another job with its key is queued is
// failed instead: the queued one redoes the work, and the key stays unique
// among queued jobs.

#include "jobs/job_queue.h"

#include <soci/soci.h>

#include <algorithm>
#include <cassert>
#include <string>

#include "store/sql_call.h"

namespace eventface::jobs {

namespace {

using store::RunSql;
using store::Transaction;

constexpr char kJobColumns[] =
    "id, kind, lane, payload, state, attempts, max_attempts, run_after, "
    "lease_owner, lease_expires_at, error, coalesce_key, created_at, "
    "updated_at";

// Names one attempt's lease; bind the job id, worker and attempts after
// the statement's other parameters.
constexpr char kLeaseHeld[] =
    " WHERE id = :id AND state = 'running' AND lease_owner = :worker"
    " AND attempts = :attempts";

// One jobs row (kJobColumns) as SOCI fills it.
struct JobRow {
  long long id = 0;
  std::string kind;
  int lane = 0;
  std::string payload;
  std::string state;
  int attempts = 0;
  int max_attempts = 0;
  long long run_after = 0;
  std::string lease_owner;
  long long lease_expires_at = 0;
  std::string error;
  std::string coalesce_key;
  long long created_at = 0;
  long long updated_at = 0;
  soci::indicator lease_owner_null = soci::i_null;
  soci::indicator lease_expires_at_null = soci::i_null;
  soci::indicator error_null = soci::i_null;
  soci::indicator coalesce_key_null = soci::i_null;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(lane));
    statement.exchange(soci::into(payload));
    statement.exchange(soci::into(state));
    statement.exchange(soci::into(attempts));
    statement.exchange(soci::into(max_attempts));
    statement.exchange(soci::into(run_after));
    statement.exchange(soci::into(lease_owner, lease_owner_null));
    statement.exchange(soci::into(lease_expires_at, lease_expires_at_null));
    statement.exchange(soci::into(error, error_null));
    statement.exchange(soci::into(coalesce_key, coalesce_key_null));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(updated_at));
  }

  Job ToJob() const {
    Job job;
    job.id = id;
    job.kind = kind;
    job.lane = lane == 0 ? Lane::kInteractive : Lane::kBulk;
    job.payload = payload;
    std::optional<JobState> parsed = ParseJobState(state);
    assert(parsed);  // the table's CHECK constraint allows no other
    job.state = parsed.value_or(JobState::kFailed);
    job.attempts = attempts;
    job.max_attempts = max_attempts;
    job.run_after = FromMillis(run_after);
    if (lease_owner_null == soci::i_ok) job.lease_owner = lease_owner;
    if (lease_expires_at_null == soci::i_ok) {
      job.lease_expires_at = FromMillis(lease_expires_at);
    }
    if (error_null == soci::i_ok) job.error = error;
    if (coalesce_key_null == soci::i_ok) job.coalesce_key = coalesce_key;
    job.created_at = FromMillis(created_at);
    job.updated_at = FromMillis(updated_at);
    return job;
  }
};

Error LeaseLost(const Job& job, std::string_view worker) {
  return Error{ErrorCode::kNotFound,
               "[job:" + std::to_string(job.id) + "] attempt " +
                   std::to_string(job.attempts) + " is no longer leased to " +
                   std::string(worker)};
}

// Runs an UPDATE that ends with kLeaseHeld, binding the lease after the
// `bind` callback's parameters; kNotFound when the lease is gone.
template <typename BindFn>
Status UpdateLeased(Transaction& tx, const std::string& update, const Job& job,
                    std::string_view worker, BindFn bind) {
  long long id = job.id;
  std::string owner(worker);
  int attempts = job.attempts;
  soci::statement statement(tx.sql());
  bind(statement);
  statement.exchange(soci::use(id));
  statement.exchange(soci::use(owner));
  statement.exchange(soci::use(attempts));
  statement.alloc();
  statement.prepare(update + kLeaseHeld);
  statement.define_and_bind();
  statement.execute(true);
  if (statement.get_affected_rows() == 0) return LeaseLost(job, worker);
  return Status();
}

// Ends the leases that expired by `now`: jobs on their last attempt fail
// for good, coalesced jobs with a queued twin give way to it, and the rest
// are queued again, due at once. Running this before each claim keeps the
// claim itself a plain index scan over queued jobs.
void ReleaseExpiredLeases(Transaction& tx, Timestamp now) {
  long long at = ToMillis(now);
  tx.sql() << "UPDATE jobs SET state = 'failed', updated_at = :now, "
              "error = 'lease expired on the last attempt' "
              "WHERE state = 'running' AND lease_expires_at <= :now2 "
              "AND attempts >= max_attempts",
      soci::use(at), soci::use(at);
  tx.sql() << "UPDATE jobs SET state = 'failed', updated_at = :now, "
              "error = 'lease expired; a queued job with its key redoes it' "
              "WHERE state = 'running' AND lease_expires_at <= :now2 "
              "AND coalesce_key IS NOT NULL AND EXISTS (SELECT 1 FROM jobs "
              "AS twin WHERE twin.coalesce_key = jobs.coalesce_key "
              "AND twin.state = 'queued')",
      soci::use(at), soci::use(at);
  tx.sql() << "UPDATE jobs SET state = 'queued', run_after = :now, "
              "updated_at = :now2, error = 'lease of ' || lease_owner || "
              "' expired', lease_owner = NULL, lease_expires_at = NULL "
              "WHERE state = 'running' AND lease_expires_at <= :now3",
      soci::use(at), soci::use(at), soci::use(at);
}

}  // namespace

JobQueue::JobQueue(store::Database& database, const Clock& clock,
                   JobQueueOptions options)
    : database_(database), clock_(clock), options_(options) {
  assert(options_.max_attempts >= 1);
}

Result<int64_t> JobQueue::Enqueue(Transaction& tx, const NewJob& job) {
  return RunSql("enqueue job", [&]() -> Result<int64_t> {
    int lane = static_cast<int>(job.lane);
    int max_attempts =
        job.max_attempts > 0 ? job.max_attempts : options_.max_attempts;
    long long now = ToMillis(clock_.Now());
    std::string key = job.coalesce_key.value_or("");
    soci::indicator key_null = job.coalesce_key ? soci::i_ok : soci::i_null;
    long long id = 0;
    // A conflict can only be the one-queued-job-per-key index.
    tx.sql() << "INSERT INTO jobs (kind, lane, payload, state, attempts, "
                "max_attempts, run_after, coalesce_key, created_at, "
                "updated_at) VALUES (:kind, :lane, :payload, 'queued', 0, "
                ":max, :run_after, :key, :created, :updated) "
                "ON CONFLICT DO NOTHING RETURNING id",
        soci::use(job.kind), soci::use(lane), soci::use(job.payload),
        soci::use(max_attempts), soci::use(now), soci::use(key, key_null),
        soci::use(now), soci::use(now), soci::into(id);
    if (tx.sql().got_data()) return id;

    tx.sql() << "SELECT id FROM jobs WHERE coalesce_key = :key "
                "AND state = 'queued'",
        soci::use(key), soci::into(id);
    if (!tx.sql().got_data()) {
      return Error{ErrorCode::kInternal,
                   "enqueue job: insert conflicted but no job is queued"};
    }
    return id;
  });
}

Result<int64_t> JobQueue::Enqueue(const NewJob& job) {
  return database_.WithTransaction(
      [&](Transaction& tx) { return Enqueue(tx, job); });
}

Result<std::optional<Job>> JobQueue::Claim(std::string_view worker,
                                           std::chrono::milliseconds lease) {
  using Claimed = Result<std::optional<Job>>;
  Timestamp now = clock_.Now();
  return database_.WithTransaction([&](Transaction& tx) -> Claimed {
    return RunSql("claim job", [&]() -> Claimed {
      ReleaseExpiredLeases(tx, now);

      // PostgreSQL: the subquery locks its row and skips rows that other
      // claimers locked. SQLite: BEGIN IMMEDIATE made us the only writer.
      std::string update =
          "UPDATE jobs SET state = 'running', lease_owner = :worker, "
          "lease_expires_at = :expires, attempts = attempts + 1, "
          "updated_at = :now WHERE id = (SELECT id FROM jobs "
          "WHERE state = 'queued' AND run_after <= :now2 "
          "ORDER BY lane, id LIMIT 1" +
          std::string(tx.dialect().skip_locked()) + ") RETURNING " +
          kJobColumns;
      std::string owner(worker);
      long long at = ToMillis(now);
      long long expires = ToMillis(now + lease);
      JobRow row;
      soci::statement statement(tx.sql());
      row.Bind(statement);
      statement.exchange(soci::use(owner));
      statement.exchange(soci::use(expires));
      statement.exchange(soci::use(at));
      statement.exchange(soci::use(at));
      statement.alloc();
      statement.prepare(update);
      statement.define_and_bind();
      if (!statement.execute(true)) return std::optional<Job>();
      return std::optional<Job>(row.ToJob());
    });
  });
}

Status JobQueue::Complete(Transaction& tx, const Job& job,
                          std::string_view worker) {
  return RunSql("complete job", [&]() -> Status {
    long long now = ToMillis(clock_.Now());
    return UpdateLeased(
        tx, "UPDATE jobs SET state = 'done', error = NULL, updated_at = :now",
        job, worker, [&](soci::statement& statement) {
          statement.exchange(soci::use(now));
        });
  });
}

Status JobQueue::Complete(const Job& job, std::string_view worker) {
  return database_.WithTransaction(
      [&](Transaction& tx) { return Complete(tx, job, worker); });
}

Status JobQueue::Fail(Transaction& tx, const Job& job, std::string_view worker,
                      std::string_view error) {
  return RunSql("fail job", [&]() -> Status {
    std::string message(error);
    bool is_final = job.attempts >= job.max_attempts;

    // A retry would make a second queued job with the key; the queued
    // one will do the same work, so this one ends here.
    if (!is_final && job.coalesce_key) {
      long long queued_id = 0;
      tx.sql() << "SELECT id FROM jobs WHERE coalesce_key = :key "
                  "AND state = 'queued'",
          soci::use(*job.coalesce_key), soci::into(queued_id);
      if (tx.sql().got_data()) {
        is_final = true;
        message += " (job " + std::to_string(queued_id) + " redoes it)";
      }
    }

    Timestamp now = clock_.Now();
    long long at = ToMillis(now);
    if (is_final) {
      return UpdateLeased(tx,
                          "UPDATE jobs SET state = 'failed', error = :error, "
                          "updated_at = :now",
                          job, worker, [&](soci::statement& statement) {
                            statement.exchange(soci::use(message));
                            statement.exchange(soci::use(at));
                          });
    }
    long long run_after = ToMillis(now + Backoff(job.attempts));
    return UpdateLeased(tx,
                        "UPDATE jobs SET state = 'queued', error = :error, "
                        "run_after = :run_after, lease_owner = NULL, "
                        "lease_expires_at = NULL, updated_at = :now",
                        job, worker, [&](soci::statement& statement) {
                          statement.exchange(soci::use(message));
                          statement.exchange(soci::use(run_after));
                          statement.exchange(soci::use(at));
                        });
  });
}

Status JobQueue::Fail(const Job& job, std::string_view worker,
                      std::string_view error) {
  return database_.WithTransaction(
      [&](Transaction& tx) { return Fail(tx, job, worker, error); });
}

Status JobQueue::ExtendLease(const Job& job, std::string_view worker,
                             std::chrono::milliseconds lease) {
  return database_.WithTransaction([&](Transaction& tx) -> Status {
    return RunSql("extend lease", [&]() -> Status {
      Timestamp now = clock_.Now();
      long long expires = ToMillis(now + lease);
      long long at = ToMillis(now);
      return UpdateLeased(
          tx, "UPDATE jobs SET lease_expires_at = :expires, updated_at = :now",
          job, worker, [&](soci::statement& statement) {
            statement.exchange(soci::use(expires));
            statement.exchange(soci::use(at));
          });
    });
  });
}

Status JobQueue::Release(const Job& job, std::string_view worker) {
  return database_.WithTransaction([&](Transaction& tx) -> Status {
    return RunSql("release job", [&]() -> Status {
      long long at = ToMillis(clock_.Now());
      std::string message = "released by " + std::string(worker);
      // Queuing it again would make a second queued job with its key.
      if (job.coalesce_key) {
        long long queued_id = 0;
        tx.sql() << "SELECT id FROM jobs WHERE coalesce_key = :key "
                    "AND state = 'queued'",
            soci::use(*job.coalesce_key), soci::into(queued_id);
        if (tx.sql().got_data()) {
          message += " (job " + std::to_string(queued_id) + " redoes it)";
          return UpdateLeased(
              tx,
              "UPDATE jobs SET state = 'failed', error = :error, "
              "updated_at = :now",
              job, worker, [&](soci::statement& statement) {
                statement.exchange(soci::use(message));
                statement.exchange(soci::use(at));
              });
        }
      }
      return UpdateLeased(
          tx,
          "UPDATE jobs SET state = 'queued', attempts = attempts - 1, "
          "run_after = :run_after, error = :error, lease_owner = NULL, "
          "lease_expires_at = NULL, updated_at = :now",
          job, worker, [&](soci::statement& statement) {
            statement.exchange(soci::use(at));
            statement.exchange(soci::use(message));
            statement.exchange(soci::use(at));
          });
    });
  });
}

Result<Job> JobQueue::Get(int64_t id) {
  return database_.WithReadTransaction([&](Transaction& tx) -> Result<Job> {
    return RunSql("get job", [&]() -> Result<Job> {
      long long job_id = id;
      JobRow row;
      soci::statement statement(tx.sql());
      row.Bind(statement);
      statement.exchange(soci::use(job_id));
      statement.alloc();
      statement.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE id = :id");
      statement.define_and_bind();
      if (!statement.execute(true)) {
        return Error{ErrorCode::kNotFound,
                     "job " + std::to_string(id) + ": not found"};
      }
      return row.ToJob();
    });
  });
}

Result<std::vector<JobCount>> JobQueue::CountByKindAndState() {
  using Counts = Result<std::vector<JobCount>>;
  return database_.WithReadTransaction([&](Transaction& tx) -> Counts {
    return RunSql("count jobs", [&]() -> Counts {
      std::string kind;
      std::string state;
      long long count = 0;
      soci::statement select =
          (tx.sql().prepare << "SELECT kind, state, COUNT(*) FROM jobs "
                               "GROUP BY kind, state ORDER BY kind, state",
           soci::into(kind), soci::into(state), soci::into(count));
      select.execute();
      std::vector<JobCount> counts;
      while (select.fetch()) {
        counts.push_back(JobCount{
            kind, ParseJobState(state).value_or(JobState::kFailed), count});
      }
      return counts;
    });
  });
}

Result<int64_t> JobQueue::Depth(Lane lane) {
  return database_.WithReadTransaction([&](Transaction& tx) -> Result<int64_t> {
    return RunSql("count queued jobs", [&]() -> Result<int64_t> {
      int lane_number = static_cast<int>(lane);
      long long count = 0;
      tx.sql() << "SELECT COUNT(*) FROM jobs WHERE state = 'queued' "
                  "AND lane = :lane",
          soci::use(lane_number), soci::into(count);
      return static_cast<int64_t>(count);
    });
  });
}

std::chrono::milliseconds JobQueue::Backoff(int attempts) const {
  // Doubling stops once past the cap, so the shift never overflows.
  std::chrono::milliseconds wait = options_.base_backoff;
  for (int i = 1; i < attempts && wait < options_.max_backoff; ++i) wait *= 2;
  return std::min(wait, options_.max_backoff);
}

}  // namespace eventface::jobs
