/**
 * The nftables module without a kernel: os-vif's rule sets per case, the drop actions, the
 * comment TLV, expression decoding of what it does not know, the uapi numbers compiled against
 * the system's headers, and the dump parsers under random input (only their own error).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { ByteWriter } from '../../src/netlink/codec/writer.js';
import * as C from '../../src/nftables/constants.js';
import { decodeExpr, encodeExpr, sameExprs } from '../../src/nftables/expressions.js';
import {
  bridgeRuleSet,
  checkDropAction,
  counter,
  type Expr,
  FirewallConfigError,
  ifnameMatch,
  NftablesParseError,
  rejectTarget,
  verdict,
} from '../../src/nftables/index.js';
import { parseChains, parseRules, parseTables } from '../../src/nftables/listing.js';
import { decodeComment, encodeComment } from '../../src/nftables/udata.js';

const spell = (bridge: string, c: Parameters<typeof bridgeRuleSet>[1]) =>
  bridgeRuleSet(bridge, c).map(
    (r) => `${r.iifname ? `-i ${r.iifname} ` : ''}${r.oifname ? `-o ${r.oifname} ` : ''}-j ${r.action}`,
  );

test("os-vif's rule sets: gateway with all, with a list (empty names skipped), and the VLAN path", (t) => {
  t.deepEqual(spell('br0', { kind: 'gateway', forwardInterfaces: ['eth1', 'all'], dropAction: 'DROP' }), [
    '-i br0 -j ACCEPT',
    '-o br0 -j ACCEPT',
    '-o br0 -j DROP',
  ]);
  t.deepEqual(
    spell('br0', { kind: 'gateway', forwardInterfaces: ['eth1', '', 'eth2'], dropAction: 'REJECT' }),
    [
      '-i br0 -o eth1 -j ACCEPT',
      '-i eth1 -o br0 -j ACCEPT',
      '-i br0 -o eth2 -j ACCEPT',
      '-i eth2 -o br0 -j ACCEPT',
      '-i br0 -o br0 -j ACCEPT',
      '-i br0 -j REJECT',
      '-o br0 -j REJECT',
      '-o br0 -j REJECT',
    ],
  );
  t.deepEqual(spell('br0', { kind: 'gateway', forwardInterfaces: [], dropAction: 'DROP' }), [
    '-i br0 -o br0 -j ACCEPT',
    '-i br0 -j DROP',
    '-o br0 -j DROP',
    '-o br0 -j DROP',
  ]);
  t.deepEqual(spell('br0', { kind: 'isolated', dropAction: 'DROP' }), ['-i br0 -j DROP', '-o br0 -j DROP']);
});

test('drop actions: DROP and REJECT; anything else a FirewallConfigError', (t) => {
  t.is(checkDropAction('DROP'), 'DROP');
  t.is(checkDropAction('REJECT'), 'REJECT');
  for (const bad of ['LOG', 'drop', '', 'nova-compute-DROP']) {
    t.throws(() => checkDropAction(bad), { instanceOf: FirewallConfigError });
  }
});

test('the comment TLV: type 0, length with the NUL, round trip; limits; malformed TLVs read as none', (t) => {
  t.deepEqual([...encodeComment('os-vif:br0')], [0, 11, ...Buffer.from('os-vif:br0'), 0]);
  t.is(decodeComment(encodeComment('os-vif:br0')), 'os-vif:br0');
  t.is(decodeComment(Uint8Array.from([1, 2, 9, 9, ...encodeComment('x')])), 'x', 'another TLV first');
  t.is(decodeComment(Uint8Array.from([0, 40, 65])), undefined, 'length past the end');
  t.is(decodeComment(new Uint8Array(0)), undefined);
  t.notThrows(() => encodeComment('a'.repeat(127)));
  t.throws(() => encodeComment('a'.repeat(128)), { instanceOf: TypeError });
  t.throws(() => encodeComment('a\0b'), { instanceOf: TypeError });
});

function roundTrip(e: Expr): Expr {
  const w = new ByteWriter();
  encodeExpr(w, e);
  return decodeExpr(w.finish().subarray(4));
}

test('expressions encode and decode back; a wildcard name compares its prefix only', (t) => {
  const exprs: Expr[] = [
    ...ifnameMatch('iifname', 'br0'),
    ...ifnameMatch('oifname', 'eth+'),
    { kind: 'counter', packets: 5n, bytes: 700n },
    counter(),
    verdict({ kind: 'jump', chain: 'os-vif-br-br0' }),
    verdict({ kind: 'goto', chain: 'x' }),
    verdict({ kind: 'return' }),
    verdict({ kind: 'continue' }),
    { kind: 'reject', type: 0, code: 3 },
    rejectTarget(),
    { kind: 'unknown', name: 'payload', data: Uint8Array.from([8, 0, 1, 0, 0, 0, 0, 1]) },
  ];
  for (const e of exprs) t.deepEqual(roundTrip(e), e);
  t.deepEqual([...(ifnameMatch('oifname', 'eth+')[1] as { data: Uint8Array }).data], [...Buffer.from('eth')]);
  t.is((ifnameMatch('iifname', 'br0')[1] as { data: Uint8Array }).data.length, 16);
  t.true(sameExprs([counter()], [{ kind: 'counter', packets: 9n, bytes: 9n }]), 'counter values are ignored');
  t.false(sameExprs(ifnameMatch('iifname', 'br0'), ifnameMatch('iifname', 'br1')));
});

test('an expression whose data is malformed decodes as unknown, never throws', (t) => {
  const w = new ByteWriter();
  encodeExpr(w, { kind: 'unknown', name: 'meta', data: Uint8Array.from([200, 0, 1, 0]) });
  t.is(decodeExpr(w.finish().subarray(4)).kind, 'unknown');
});

test('the dump parsers take any bytes: results or NftablesParseError only', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 12 }),
      fc.uint8Array({ maxLength: 200 }),
      (type, family, payload) => {
        const m = {
          type: (10 << 8) | type,
          flags: 0,
          seq: 1,
          pid: 0,
          payload: Uint8Array.from([family, ...payload]),
        };
        for (const parse of [parseTables, parseChains, parseRules]) {
          try {
            parse([m]);
          } catch (e) {
            if (!(e instanceof NftablesParseError)) throw e;
          }
        }
      },
    ),
    { numRuns: 2000 },
  );
  t.pass();
});

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
(hasGcc || process.env.CI ? test : test.skip)('uapi numbers equal the system headers', (t) => {
  const notInHeaders = new Set([
    'XT_CHAIN_MAXLEN',
    'NFTNL_UDATA_RULE_COMMENT',
    'NFT_REG_1',
    'NFT_REG_VERDICT',
  ]);
  const names = Object.entries(C).filter(([n, v]) => typeof v === 'number' && !notInHeaders.has(n));
  const dir = mkdtempSync(path.join(tmpdir(), 'ovt-nft-uapi-'));
  try {
    const src = [
      '#include <stdio.h>',
      '#include <linux/netlink.h>',
      '#include <linux/if.h>',
      '#include <linux/netfilter.h>',
      '#include <linux/netfilter/nfnetlink.h>',
      '#include <linux/netfilter/nf_tables.h>',
      '#include <linux/netfilter/nf_tables_compat.h>',
      '#include <linux/netfilter_ipv4/ipt_REJECT.h>',
      'int main(void) {',
      ...names.map(([n]) => `  printf("${n} %ld\\n", (long)(${n}));`),
      '  printf("NFT_REG_VERDICT %ld\\nNFT_REG_1 %ld\\n", (long)NFT_REG_VERDICT, (long)NFT_REG_1);',
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(path.join(dir, 'u.c'), src);
    const cc = spawnSync('gcc', ['-o', path.join(dir, 'u'), path.join(dir, 'u.c')], { encoding: 'utf8' });
    t.is(cc.status, 0, cc.stderr);
    const out = spawnSync(path.join(dir, 'u'), { encoding: 'utf8' }).stdout;
    const got = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
    );
    const want: Array<[string, number]> = [
      ...(names as Array<[string, number]>),
      ['NFT_REG_VERDICT', C.NFT_REG_VERDICT],
      ['NFT_REG_1', C.NFT_REG_1],
    ];
    for (const [n, v] of want) t.is(got[n], v, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('procNetRead takes a plain /proc/net file name only (EINVAL before any system call)', async (t) => {
  const { native } = await import('../../src/native/addon.js');
  for (const name of ['../x', 'ip_tables_names/..', '', 'A', 'a b'])
    await t.throwsAsync(native().procNetRead({ name }), { code: 'EINVAL' });
  const text = await native()
    .procNetRead({ name: 'dev' })
    .catch(() => undefined);
  t.regex(text ?? '', /Inter-\|/, "this namespace's /proc/net/dev");
});
