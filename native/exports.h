// The functions the addon exports; their contract is src/native/addon.ts.
#pragma once

#include <napi.h>

namespace osvif {

// netlink_socket.cc
void DefineNetlinkSocket(Napi::Env env);  // once, before OpenNetlink is called
Napi::Value OpenNetlink(const Napi::CallbackInfo& info);

// tun.cc
Napi::Value TunCreateBatch(const Napi::CallbackInfo& info);
Napi::Value TunDelete(const Napi::CallbackInfo& info);

// sysctl.cc
Napi::Value SysctlWrite(const Napi::CallbackInfo& info);
Napi::Value SysctlRead(const Napi::CallbackInfo& info);
Napi::Value ProcNetRead(const Napi::CallbackInfo& info);
Napi::Value SysctlBatch(const Napi::CallbackInfo& info);

// netns.cc
Napi::Value NetnsCreate(const Napi::CallbackInfo& info);
Napi::Value NetnsDelete(const Napi::CallbackInfo& info);

// file_lock.cc
Napi::Value FileLock(const Napi::CallbackInfo& info);

}  // namespace osvif
