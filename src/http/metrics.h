// Counters, gauges and histograms with labels, rendered in the Prometheus
// text exposition format 0.0.4 for GET /metrics.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace eventface::http {

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// One named metric and its series, one per set of label values. The
// classes below are families; all their methods are thread-safe.
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help,
               std::vector<std::string> label_names);
  virtual ~MetricFamily() = default;

  const std::string& name() const { return name_; }

  // Appends this family's HELP, TYPE and sample lines to `out`.
  virtual void Render(std::string& out) const = 0;

 protected:
  // REQUIRES: values.size() == number of label names.
  void CheckArity(const LabelValues& values) const;
  // `{a="x",b="y"}` (or "" without labels), plus `extra` as the last
  // label when not empty (histograms add `le`).
  std::string LabelText(const LabelValues& values,
                        const std::string& extra = "") const;
  void RenderHeader(std::string& out, const char* type) const;

  mutable std::mutex mutex_;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// A value that only goes up: requests served, faces indexed.
class Counter : public MetricFamily {
 public:
  using MetricFamily::MetricFamily;
  // REQUIRES: by >= 0.
  void Increment(const LabelValues& values, double by = 1);
  void Render(std::string& out) const override;

 private:
  std::map<LabelValues, double> series_;  // guarded by mutex_
};

// A value that goes up and down: queue depth, jobs running.
class Gauge : public MetricFamily {
 public:
  using MetricFamily::MetricFamily;
  void Set(const LabelValues& values, double value);
  void Add(const LabelValues& values, double delta);
  void Render(std::string& out) const override;

 private:
  std::map<LabelValues, double> series_;  // guarded by mutex_
};

// Observations counted into buckets: request latency in seconds.
class Histogram : public MetricFamily {
 public:
  // `bounds`: the buckets' upper bounds, ascending; +Inf is implied.
  Histogram(std::string name, std::string help,
            std::vector<std::string> label_names, std::vector<double> bounds);
  void Observe(const LabelValues& values, double value);
  void Render(std::string& out) const override;

 private:
  struct Series {
    std::vector<unsigned long long> counts;  // per bucket, not cumulative
    unsigned long long count = 0;
    double sum = 0;
  };
  std::vector<double> bounds_;
  std::map<LabelValues, Series> series_;  // guarded by mutex_
};

// Owns the metric families of one process. Families are created at start
// up and live as long as the registry; the pointers it returns stay valid
// until then. Thread-safe.
class MetricsRegistry {
 public:
  // Each adds a family named `name` (REQUIRES: not yet registered).
  Counter* AddCounter(std::string name, std::string help,
                      std::vector<std::string> label_names = {});
  Gauge* AddGauge(std::string name, std::string help,
                  std::vector<std::string> label_names = {});
  Histogram* AddHistogram(std::string name, std::string help,
                          std::vector<std::string> label_names,
                          std::vector<double> bounds);

  // Runs `collect` at the start of every RenderText(), so that values read
  // from elsewhere at scrape time (the job queue's counts) are current.
  // It runs on the scraping thread, without the registry's lock, and must
  // be thread-safe; whatever it refers to must outlive the registry's use.
  void AddCollector(std::function<void()> collect);

  // Runs the collectors, then renders every family, in the order they
  // were added, as Prometheus text.
  std::string RenderText() const;

 private:
  template <typename Family>
  Family* Add(std::unique_ptr<Family> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<MetricFamily>> families_;  // guarded by mutex_
  std::vector<std::function<void()>> collectors_;        // guarded by mutex_
};

// The Content-Type of RenderText()'s output.
inline constexpr const char* kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Latency bucket bounds, in seconds, that suit HTTP handlers.
std::vector<double> DefaultLatencyBounds();

}  // namespace eventface::http
