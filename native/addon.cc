// The os_vif addon: system calls only (netlink sockets in any network namespace, tun/tap ioctls,
// per-namespace sysctl files, named namespaces). The typed contract is src/native/addon.ts;
// message layouts live in TypeScript.
#include <napi.h>

#include "exports.h"
#include "privsep.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace osvif;
  DefineNetlinkSocket(env);
  exports.Set("openNetlink", Napi::Function::New<OpenNetlink>(env, "openNetlink"));
  exports.Set("tunCreateBatch", Napi::Function::New<TunCreateBatch>(env, "tunCreateBatch"));
  exports.Set("tunDelete", Napi::Function::New<TunDelete>(env, "tunDelete"));
  exports.Set("sysctlWrite", Napi::Function::New<SysctlWrite>(env, "sysctlWrite"));
  exports.Set("sysctlRead", Napi::Function::New<SysctlRead>(env, "sysctlRead"));
  exports.Set("procNetRead", Napi::Function::New<ProcNetRead>(env, "procNetRead"));
  exports.Set("sysctlBatch", Napi::Function::New<SysctlBatch>(env, "sysctlBatch"));
  exports.Set("netnsCreate", Napi::Function::New<NetnsCreate>(env, "netnsCreate"));
  exports.Set("netnsDelete", Napi::Function::New<NetnsDelete>(env, "netnsDelete"));
  exports.Set("capsRestrict", Napi::Function::New<CapsRestrict>(env, "capsRestrict"));
  exports.Set("execSelf", Napi::Function::New<ExecSelf>(env, "execSelf"));
  exports.Set("peerCredentials", Napi::Function::New<PeerCredentials>(env, "peerCredentials"));
  exports.Set("fileLock", Napi::Function::New<FileLock>(env, "fileLock"));
  return exports;
}

NODE_API_MODULE(os_vif, Init)
