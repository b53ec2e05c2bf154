/**
 * Every kernel number this layer uses, checked against the system's uapi headers: a C program
 * prints each constant and struct size, compiled with gcc. Constants newer than the installed
 * headers (linux-libc-dev can lag the kernel) must lie beyond the header's `*_MAX`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import * as C from '../../src/netlink/codec/constants.js';
import { extAckSchema } from '../../src/netlink/codec/message.js';
import type { AttrSchema } from '../../src/netlink/codec/schema.js';
import { IFADDRMSG_LEN, IFINFOMSG_LEN, RTMSG_LEN } from '../../src/netlink/codec/structs.js';
import { MACVLAN_MODES } from '../../src/netlink/kinds/macvlan.js';
import { allKinds } from '../../src/netlink/kinds/registry.js';
import { addressSchema } from '../../src/netlink/schemas/address.js';
import { linkInfoSchema, linkSchema } from '../../src/netlink/schemas/link.js';
import { routeSchema } from '../../src/netlink/schemas/route.js';

const HEADERS = [
  'linux/netlink.h',
  'linux/rtnetlink.h',
  'linux/if_link.h',
  'linux/if_addr.h',
  'linux/if.h',
  'linux/veth.h',
];
const hasGcc = spawnSync('gcc', ['--version']).status === 0;
/** In CI (env CI set, as .ci/run does) gcc is installed: its absence is a failure, not a skip. */
const inCi = Boolean(process.env.CI);
if (!hasGcc && !inCi)
  console.warn(
    'uapi test skipped: gcc is not installed (apt-get install gcc); in CI (env CI) it fails instead',
  );
const uapiTest = hasGcc || inCi ? test : test.skip;

const schemas: AttrSchema[] = [
  ...new Set([
    linkSchema,
    linkInfoSchema,
    addressSchema,
    routeSchema,
    extAckSchema,
    ...allKinds().flatMap((k) => [k.data, k.slaveData].filter((s): s is AttrSchema => s !== undefined)),
  ]),
];

/** name -> [our value, family MAX constant for names the headers may not have yet]. */
function ourConstants(): Map<string, { value: number; max?: string }> {
  const out = new Map<string, { value: number; max?: string }>();
  for (const [name, value] of Object.entries(C)) {
    if (typeof value === 'number' && /^[A-Z][A-Z0-9_]+$/.test(name) && name !== 'NLA_TYPE_MASK')
      out.set(name, { value });
  }
  for (const s of schemas)
    for (const a of s.attrs) out.set(a.constant, { value: a.type, max: `${s.name}_MAX` });
  for (const [mode, value] of Object.entries(MACVLAN_MODES))
    out.set(`MACVLAN_MODE_${mode.toUpperCase()}`, { value });
  out.set('sizeof(struct ifinfomsg)', { value: IFINFOMSG_LEN });
  out.set('sizeof(struct ifaddrmsg)', { value: IFADDRMSG_LEN });
  out.set('sizeof(struct rtmsg)', { value: RTMSG_LEN });
  return out;
}

uapiTest('constants, attribute numbers and struct sizes match the uapi headers', (t) => {
  if (!hasGcc) {
    t.fail('gcc is not installed but CI is set: CI must install gcc (.ci/run, scripts/system-deps.sh)');
    return;
  }
  const text = HEADERS.map((h) => readFileSync(`/usr/include/${h}`, 'utf8')).join('\n');
  const ours = ourConstants();
  const inHeaders = [...ours.keys()].filter(
    (n) => /^(sizeof|AF_)/.test(n) || new RegExp(`\\b${n}\\b`).test(text),
  );
  const newer = [...ours.keys()].filter((n) => !inHeaders.includes(n));
  const maxes = [...new Set(newer.map((n) => ours.get(n)?.max).filter((m): m is string => m !== undefined))];
  const dir = mkdtempSync(path.join(tmpdir(), 'ovtuapi'));
  try {
    const src = [
      '#include <stdio.h>',
      '#include <sys/socket.h>',
      ...HEADERS.map((h) => `#include <${h}>`),
      'int main(void) {',
      ...[...inHeaders, ...maxes].map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));`),
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(path.join(dir, 'c.c'), src);
    execFileSync('gcc', ['-o', path.join(dir, 'c'), path.join(dir, 'c.c')], { stdio: 'pipe' });
    const printed = new Map(
      execFileSync(path.join(dir, 'c'), { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => {
          const i = l.lastIndexOf(' ');
          return [l.slice(0, i), Number(l.slice(i + 1))] as const;
        }),
    );
    for (const n of inHeaders) t.is(ours.get(n)?.value, printed.get(n), n);
    for (const n of newer) {
      const o = ours.get(n)!;
      t.truthy(o.max, `${n} is in no header and belongs to no attribute family`);
      t.true(
        o.value > (printed.get(o.max!) ?? Number.POSITIVE_INFINITY),
        `${n}=${o.value} must be beyond ${o.max}`,
      );
    }
    t.log(
      `${inHeaders.length} checked against the headers, ${newer.length} newer than them: ${newer.join(', ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
