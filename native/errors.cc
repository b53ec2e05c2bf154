#include "errors.h"

#include <cerrno>
#include <cstring>


namespace osvif {

Failure Fail(const char* syscall, std::string path) {
  return Failure{errno, syscall, std::move(path), ""};
}

Failure Errno(int err, const char* syscall, std::string message) {
  return Failure{err, syscall, "", std::move(message)};
}

Failure Invalid(const char* syscall, std::string message) {
  return Failure{EINVAL, syscall, "", std::move(message)};
}

std::string ErrnoName(int err) {
  // glibc's own table (2.32+): canonical names, aliases mapped (11 is EAGAIN); null if unknown.
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

Napi::Error MakeError(Napi::Env env, const Failure& failure) {
  std::string code = ErrnoName(failure.err);
  std::string message = failure.message;
  if (message.empty()) {
    char text[128];
    // GNU strerror_r: thread-safe, returns a pointer that may or may not be `text`.
    const char* description = strerror_r(failure.err, text, sizeof text);
    message = std::string(failure.syscall) + (failure.path.empty() ? "" : " " + failure.path) +
              ": " + code + " (" + description + ")";
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", code);
  error.Set("errno", Napi::Number::New(env, failure.err));
  error.Set("syscall", failure.syscall);
  if (!failure.path.empty()) error.Set("path", failure.path);
  return error;
}

void ReportUncaught(Napi::Env env, const Napi::Error& error) {
  // Plain Node-API calls: nothing here may throw, and any of them may fail during teardown.
  napi_handle_scope scope;
  if (error.IsEmpty() || napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value value = nullptr;
  if (napi_get_reference_value(env, error, &value) == napi_ok && value != nullptr) {
    napi_fatal_exception(env, value);
  }
  napi_close_handle_scope(env, scope);
}

}  // namespace osvif

namespace osvif {

void ReportUncaught(Napi::Env env, const char* what) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value message = nullptr;
  napi_value error = nullptr;
  if (napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &message) == napi_ok &&
      napi_create_error(env, nullptr, message, &error) == napi_ok) {
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

}  // namespace osvif
