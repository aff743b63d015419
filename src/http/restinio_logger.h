// RESTinio's logger trait, backed by spdlog's default logger.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace eventface::http {

// RESTinio hands its logger a lambda that formats the message. This
// adapter calls the lambda only when spdlog would print the line, so a
// dropped level costs no formatting. RESTinio's trace and info messages
// (per-connection steps, acceptor start) go to our debug level. Its error
// messages go to warn: in 0.6 nearly all concern one connection (a
// request that does not parse, a body over the limit, a timeout, a peer
// gone), which is the client's failure, not ours; whatever stops the
// server as a whole reaches us as an exception instead. Thread-safe, as
// spdlog's loggers are.
class RestinioLogger {
 public:
  template <typename MessageBuilder>
  void trace(MessageBuilder&& builder) const {
    Log(spdlog::level::debug, std::forward<MessageBuilder>(builder));
  }
  template <typename MessageBuilder>
  void info(MessageBuilder&& builder) const {
    Log(spdlog::level::debug, std::forward<MessageBuilder>(builder));
  }
  template <typename MessageBuilder>
  void warn(MessageBuilder&& builder) const {
    Log(spdlog::level::warn, std::forward<MessageBuilder>(builder));
  }
  template <typename MessageBuilder>
  void error(MessageBuilder&& builder) const {
    Log(spdlog::level::warn, std::forward<MessageBuilder>(builder));
  }

 private:
  template <typename MessageBuilder>
  static void Log(spdlog::level::level_enum level, MessageBuilder&& builder) {
    spdlog::logger* logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    logger->log(level, "restinio: {}", builder());
  }
};

}  // namespace eventface::http
