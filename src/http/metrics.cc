#include "http/metrics.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <utility>

namespace eventface::http {
namespace {

// Prometheus numbers: shortest round-trip decimal, or +Inf, -Inf, NaN.
std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  assert(error == std::errc());
  return std::string(buffer, end);
}

// Label values escape backslash, double quote and line feed; HELP text
// escapes only backslash and line feed.
std::string Escape(const std::string& text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

MetricFamily::MetricFamily(std::string name, std::string help,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)) {}

void MetricFamily::CheckArity(const LabelValues& values) const {
  assert(values.size() == label_names_.size());
  (void)values;
}

std::string MetricFamily::LabelText(const LabelValues& values,
                                    const std::string& extra) const {
  if (values.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i] + "=\"" + Escape(values[i], true) + '"';
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  return out + '}';
}

void MetricFamily::RenderHeader(std::string& out, const char* type) const {
  out += "# HELP " + name_ + ' ' + Escape(help_, false) + '\n';
  out += "# TYPE " + name_ + ' ' + type + '\n';
}

void Counter::Increment(const LabelValues& values, double by) {
  assert(by >= 0);
  CheckArity(values);
  std::lock_guard lock(mutex_);
  series_[values] += by;
}

void Counter::Render(std::string& out) const {
  std::lock_guard lock(mutex_);
  RenderHeader(out, "counter");
  for (const auto& [values, value] : series_) {
    out += name() + LabelText(values) + ' ' + FormatNumber(value) + '\n';
  }
}

void Gauge::Set(const LabelValues& values, double value) {
  CheckArity(values);
  std::lock_guard lock(mutex_);
  series_[values] = value;
}

void Gauge::Add(const LabelValues& values, double delta) {
  CheckArity(values);
  std::lock_guard lock(mutex_);
  series_[values] += delta;
}

void Gauge::Render(std::string& out) const {
  std::lock_guard lock(mutex_);
  RenderHeader(out, "gauge");
  for (const auto& [values, value] : series_) {
    out += name() + LabelText(values) + ' ' + FormatNumber(value) + '\n';
  }
}

Histogram::Histogram(std::string name, std::string help,
                     std::vector<std::string> label_names,
                     std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(bounds)) {
  for (size_t i = 1; i < bounds_.size(); ++i)
    assert(bounds_[i - 1] < bounds_[i]);
}

void Histogram::Observe(const LabelValues& values, double value) {
  CheckArity(values);
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;

  std::lock_guard lock(mutex_);
  Series& series = series_[values];
  if (series.counts.empty()) series.counts.resize(bounds_.size() + 1);
  ++series.counts[bucket];
  ++series.count;
  series.sum += value;
}

void Histogram::Render(std::string& out) const {
  std::lock_guard lock(mutex_);
  RenderHeader(out, "histogram");
  for (const auto& [values, series] : series_) {
    // Buckets are cumulative in the text format: each counts every
    // observation at or below its bound.
    unsigned long long cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += series.counts[i];
      double bound = i < bounds_.size() ? bounds_[i] : INFINITY;
      std::string le = "le=\"" + FormatNumber(bound) + '"';
      out += name() + "_bucket" + LabelText(values, le) + ' ' +
             std::to_string(cumulative) + '\n';
    }
    out += name() + "_sum" + LabelText(values) + ' ' +
           FormatNumber(series.sum) + '\n';
    out += name() + "_count" + LabelText(values) + ' ' +
           std::to_string(series.count) + '\n';
  }
}

template <typename Family>
Family* MetricsRegistry::Add(std::unique_ptr<Family> family) {
  std::lock_guard lock(mutex_);
  for (const auto& existing : families_) {
    assert(existing->name() != family->name());
    (void)existing;
  }
  Family* raw = family.get();
  families_.push_back(std::move(family));
  return raw;
}

Counter* MetricsRegistry::AddCounter(std::string name, std::string help,
                                     std::vector<std::string> label_names) {
  return Add(std::make_unique<Counter>(std::move(name), std::move(help),
                                       std::move(label_names)));
}

Gauge* MetricsRegistry::AddGauge(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  return Add(std::make_unique<Gauge>(std::move(name), std::move(help),
                                     std::move(label_names)));
}

Histogram* MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<std::string> label_names,
                                         std::vector<double> bounds) {
  return Add(std::make_unique<Histogram>(std::move(name), std::move(help),
                                         std::move(label_names),
                                         std::move(bounds)));
}

void MetricsRegistry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::RenderText() const {
  // A collector may be slow (a database query): run it unlocked, so that
  // other scrapes and new families do not wait on it.
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& collect : collectors) collect();

  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& family : families_) family->Render(out);
  return out;
}

std::vector<double> DefaultLatencyBounds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25,  0.5,    1,     2.5,  5,     10};
}

}  // namespace eventface::http
