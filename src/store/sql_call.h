#pragma once

#include <soci/soci.h>

#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.h"

namespace eventface::store {

// Runs `fn`, which returns a Status or a Result<T>, and turns any exception
// it throws (SOCI's, or a standard one) into an Error whose message starts
// with `context`. This is where database exceptions stop: nothing above
// store/ and jobs/ sees one. SOCI's own context (the query and its bound
// values) is left out of the message, since values may be secrets.
template <typename Fn>
std::invoke_result_t<Fn> RunSql(std::string_view context, Fn&& fn) {
  using R = std::invoke_result_t<Fn>;
  static_assert(!std::is_void_v<R>, "return a Status or a Result<T>");
  try {
    return fn();
  } catch (const soci::soci_error& e) {
    return Error{ErrorCode::kInternal,
                 std::string(context) + ": " + e.get_error_message()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, std::string(context) + ": " + e.what()};
  }
}

}  // namespace eventface::store
