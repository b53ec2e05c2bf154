#include "args.h"

#include <cmath>
#include <type_traits>

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

template <typename T>
std::vector<T> Elements(Napi::Value value, const char* what, uint32_t max) {
  if (!value.IsArray()) Refuse(value.Env(), what, "an array");
  auto array = value.As<Napi::Array>();
  uint32_t length = array.Length();
  if (length > max) {
    Refuse(value.Env(), what, ("an array of at most " + std::to_string(max) + " elements").c_str());
  }
  std::vector<T> out;
  out.reserve(length);
  for (uint32_t i = 0; i < length; i++) {
    Napi::Value item = array.Get(i);
    bool typed = std::is_same_v<T, Napi::Object> ? item.IsObject() : item.IsNumber();
    if (!typed) Refuse(value.Env(), std::string(what) + "[" + std::to_string(i) + "]",
                       std::is_same_v<T, Napi::Object> ? "an object" : "a number");
    out.push_back(item.As<T>());
  }
  return out;
}

template std::vector<Napi::Object> Elements(Napi::Value, const char*, uint32_t);
template std::vector<Napi::Value> Elements(Napi::Value, const char*, uint32_t);

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
