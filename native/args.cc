#include "args.h"

#include <cmath>

namespace osvif::args {
namespace {

bool Absent(const Napi::Value& value) { return value.IsUndefined() || value.IsNull(); }

[[noreturn]] void Refuse(Napi::Env env, const std::string& what, const char* expected) {
  throw Napi::TypeError::New(env, what + " must be " + expected);
}

}  // namespace

Napi::Object Options(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsObject()) Refuse(info.Env(), "options", "an object");
  return info[index].As<Napi::Object>();
}

std::optional<std::string> String(Napi::Object options, const char* key, bool required) {
  Napi::Value value = options.Get(key);
  if (Absent(value) && !required) return std::nullopt;
  if (!value.IsString()) Refuse(options.Env(), key, "a string");
  return value.As<Napi::String>().Utf8Value();
}

int64_t Integer(Napi::Value value, const char* what, int64_t min, int64_t max) {
  if (!value.IsNumber()) Refuse(value.Env(), what, "an integer");
  double number = value.As<Napi::Number>().DoubleValue();
  if (std::trunc(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    Refuse(value.Env(), what,
           ("an integer from " + std::to_string(min) + " to " + std::to_string(max)).c_str());
  }
  return static_cast<int64_t>(number);
}

std::optional<int64_t> Integer(Napi::Object options, const char* key, int64_t min, int64_t max) {
  Napi::Value value = options.Get(key);
  if (Absent(value)) return std::nullopt;
  return Integer(value, key, min, max);
}

bool Boolean(Napi::Object options, const char* key) {
  Napi::Value value = options.Get(key);
  if (Absent(value)) return false;
  if (!value.IsBoolean()) Refuse(options.Env(), key, "a boolean");
  return value.As<Napi::Boolean>().Value();
}

Napi::Function Function(Napi::Object options, const char* key) {
  Napi::Value value = options.Get(key);
  if (!value.IsFunction()) Refuse(options.Env(), key, "a function");
  return value.As<Napi::Function>();
}

}  // namespace osvif::args
