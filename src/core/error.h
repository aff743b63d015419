#pragma once

#include <string>
#include <string_view>

namespace eventface {

// What kind of failure an Error reports. Callers branch on the code; the
// message is for people. The HTTP layer maps each code to one status.
enum class ErrorCode {
  kInvalidArgument,    // a caller passed something malformed
  kNotFound,           // a file, record or tensor that should exist does not
  kIoError,            // the operating system refused a read or write
  kCorruptData,        // bytes that claim a format but break its rules
  kUnsupportedFormat,  // bytes in a format we do not read
  kTooLarge,           // over a byte or pixel limit
  kNoFace,             // an image in which no face was found
  kInternal,           // a library failed in a way input cannot explain
  kUnauthenticated,    // no session, or one that is expired or unknown
  kForbidden,          // a session whose role or ownership does not allow it
  kConflict,           // clashes with what exists (a taken email, say)
  kUnprocessable,      // well-formed, but its content cannot be acted on
  kRateLimited,        // too many requests from one client; try later
  kMethodNotAllowed,   // a known resource asked with a method it lacks
  kUnavailable,        // a dependency (the database, say) cannot serve now
};

// A short, stable spelling of the code ("corrupt_data"), for JSON and logs.
std::string_view ErrorCodeName(ErrorCode code);

// An expected failure: a code to branch on and a sentence for a person,
// context first ("model.bin: truncated at byte 120").
struct Error {
  ErrorCode code;
  std::string message;
};

inline std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kCorruptData:
      return "corrupt_data";
    case ErrorCode::kUnsupportedFormat:
      return "unsupported_format";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kNoFace:
      return "no_face";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnprocessable:
      return "unprocessable";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace eventface
