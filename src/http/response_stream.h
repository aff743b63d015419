// Streamed answers: a body written in pieces as it is made (a ZIP of an
// event's photos, say), never held whole in memory.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/handler.h"

namespace eventface::http {

// Where a stream handler writes its body. Used from one thread at a time.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  // Sends `piece` as the body's next bytes. Waits first until the previous
  // piece has been written to the socket, so that at most one piece is
  // ever queued however slow the client. Fails with kUnavailable once the
  // client has gone, the write timed out or the server is stopping: the
  // writer should then give up and return.
  virtual Status Write(std::string_view piece) = 0;
};

// A streamed answer's head and the function that writes its body, which
// runs on a handler thread after the head is decided. The body is sent
// chunked. When write_body fails (or throws) before its first Write, the
// client gets the error as the usual JSON answer; after it, the
// connection is closed with the body unfinished, so that the client sees
// the failure rather than a complete-looking truncated file.
struct StreamReply {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::vector<std::pair<std::string, std::string>> headers;
  std::function<Status(ResponseStream&)> write_body;
};

// A stream route's handler: decides the answer's head, or fails with the
// Error its JSON answer reports. Runs on a handler thread, as does the
// body's writer.
using StreamHandler = std::function<Result<StreamReply>(const Request&)>;

}  // namespace eventface::http
