/**
 * The addon loads lazily: importing the package (objects, plugins registry, netlink module) and
 * using the objects layer never dlopens it, so `os-vif/vif` works where no addon can load. Off
 * Linux (process.platform replaced in a child process before anything is imported) the first
 * netlink call throws PlatformNotSupportedError, and the install script succeeds without
 * building. Each case runs in a fresh `node` whose `process.dlopen` counts the native modules
 * loaded.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { loadAddon, PlatformNotSupportedError } from '../../src/native/addon.js';
import { canonical, readVector } from '../vif/vectors.js';

const url = (rel: string) => new URL(`../../../${rel}`, import.meta.url).href;
const INSTALL = fileURLToPath(new URL('../../../native/install.cjs', import.meta.url));
const primitive = readVector<{ vectors: { primitive: unknown }[] }>('objects/VIFOpenVSwitch.json').vectors[0]
  ?.primitive;

/** Makes this process look like `platform` and counts dlopen calls in `globalThis.dlopens`. */
const pretend = (platform: string | undefined) =>
  `${platform ? `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });` : ''}
   globalThis.dlopens = 0;
   const dlopen = process.dlopen;
   process.dlopen = function (...args) { globalThis.dlopens++; return dlopen.apply(this, args); };`;

interface ChildReport {
  afterObjects: number;
  back: unknown;
  afterNetlink: number;
  error?: { name: string; message: string; platform: string; typed: boolean };
}

function child(platform: string | undefined): ChildReport {
  const script = `${pretend(platform)}
    const main = await import(${JSON.stringify(url('dist/src/index.js'))});
    const nl = await import(${JSON.stringify(url('dist/src/netlink/index.js'))});
    await import(${JSON.stringify(url('dist/src/plugins/index.js'))});
    const prim = ${JSON.stringify(primitive)};
    const back = main.objects.fromPrimitive(prim).toPrimitive();
    const report = { afterObjects: globalThis.dlopens, back };
    try {
      (await nl.Netlink.open()).close();
    } catch (e) {
      report.error = { name: e.name, message: e.message, platform: e.platform, typed: e instanceof nl.PlatformNotSupportedError };
    }
    report.afterNetlink = globalThis.dlopens;
    console.log(JSON.stringify(report));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

test('on Linux: objects load no addon; the first netlink call loads it once', (t) => {
  const r = child(undefined);
  t.is(r.afterObjects, 0);
  t.is(canonical(r.back), canonical(primitive));
  t.is(r.error, undefined);
  t.is(r.afterNetlink, 1);
});

test('off Linux: objects work, netlink throws PlatformNotSupportedError, no addon is looked for', (t) => {
  const r = child('darwin');
  t.is(r.afterObjects, 0);
  t.is(canonical(r.back), canonical(primitive));
  t.deepEqual(r.error, {
    name: 'PlatformNotSupportedError',
    message: "os-vif's netlink needs Linux; this is darwin (the objects layer, os-vif/vif, works everywhere)",
    platform: 'darwin',
    typed: true,
  });
  t.is(r.afterNetlink, 0);
});

test('loadAddon refuses every platform but linux before looking for a binary', (t) => {
  for (const platform of ['darwin', 'win32', 'freebsd']) {
    const e = t.throws(() => loadAddon(platform, '/nonexistent'), { instanceOf: PlatformNotSupportedError });
    t.is(e?.platform, platform);
  }
  // on linux it does look: a directory without a build is node-gyp-build's own error
  t.throws(() => loadAddon('linux', '/nonexistent'), { message: /No native build was found/ });
});

test('the install script builds nothing off Linux and exits 0', (t) => {
  const r = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(pretend('win32'))}`, INSTALL],
    { encoding: 'utf8', timeout: 60_000 },
  );
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /no native addon on win32/);
});
