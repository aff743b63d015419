#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace eventface::http {
namespace {

TEST(MetricsRegistryTest, RendersTinyRegistryExactly) {
  MetricsRegistry registry;
  Counter* requests = registry.AddCounter("requests_total", "Requests served.",
                                          {"route", "status"});
  Gauge* depth = registry.AddGauge("queue_depth", "Jobs waiting.");
  Histogram* latency = registry.AddHistogram("latency_seconds", "Handler time.",
                                             {"route"}, {0.1, 1});

  requests->Increment({"/healthz", "200"});
  requests->Increment({"/healthz", "200"});
  requests->Increment({"/a\"b", "404"}, 3);
  depth->Set({}, 5);
  depth->Add({}, -1.5);
  latency->Observe({"/x"}, 0.05);
  latency->Observe({"/x"}, 0.5);
  latency->Observe({"/x"}, 2);

  EXPECT_EQ(registry.RenderText(),
            "# HELP requests_total Requests served.\n"
            "# TYPE requests_total counter\n"
            "requests_total{route=\"/a\\\"b\",status=\"404\"} 3\n"
            "requests_total{route=\"/healthz\",status=\"200\"} 2\n"
            "# HELP queue_depth Jobs waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 3.5\n"
            "# HELP latency_seconds Handler time.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"
            "latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"
            "latency_seconds_sum{route=\"/x\"} 2.55\n"
            "latency_seconds_count{route=\"/x\"} 3\n");
}

TEST(MetricsRegistryTest, EscapesHelpAndLabelValues) {
  MetricsRegistry registry;
  Counter* c = registry.AddCounter("c", "a \\ b\nc", {"l"});
  c->Increment({"x\\y\nz"});
  EXPECT_EQ(registry.RenderText(),
            "# HELP c a \\\\ b\\nc\n"
            "# TYPE c counter\n"
            "c{l=\"x\\\\y\\nz\"} 1\n");
}

TEST(MetricsRegistryTest, ObservationOnABoundCountsInThatBucket) {
  MetricsRegistry registry;
  Histogram* h = registry.AddHistogram("h", "h", {}, {1});
  h->Observe({}, 1);
  EXPECT_NE(registry.RenderText().find("h_bucket{le=\"1\"} 1\n"),
            std::string::npos);
}

TEST(MetricsRegistryTest, RunsCollectorsBeforeEveryRender) {
  MetricsRegistry registry;
  Gauge* depth = registry.AddGauge("depth", "Jobs waiting.");
  int scrapes = 0;
  registry.AddCollector([&] { depth->Set({}, ++scrapes * 10); });
  EXPECT_NE(registry.RenderText().find("\ndepth 10\n"), std::string::npos);
  EXPECT_NE(registry.RenderText().find("\ndepth 20\n"), std::string::npos);
}

TEST(MetricsRegistryTest, CountsFromManyThreads) {
  MetricsRegistry registry;
  Counter* c = registry.AddCounter("c", "c");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([c] {
      for (int i = 0; i < 1000; ++i) c->Increment({});
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_NE(registry.RenderText().find("\nc 4000\n"), std::string::npos);
}

}  // namespace
}  // namespace eventface::http
