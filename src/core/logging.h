#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string_view>

namespace eventface {

// Sends log lines to standard error as "time level message" at `level`
// ("error", "warn", "info", "debug"); an unknown name means "info".
inline void InitLogging(std::string_view level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("eventface"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  if (spdlog::get_level() == spdlog::level::off && level != "off") {
    spdlog::set_level(spdlog::level::info);
  }
}

}  // namespace eventface
