/**
 * Golden bytes: every message kind os-vif/nftables writes equals, byte for byte, what `nft`
 * 1.0.6 (or, for the x_tables REJECT target, `iptables-nft` 1.8.9) sent for the same change
 * (captured by scripts/gen-nft-golden.sh with strace). The encoder runs with `ack: false` for
 * the comparison because `nft` asks for no ACKs; sequence numbers and unwritten padding are
 * normalised (see golden-fixtures.ts).
 */
import test from 'ava';
import { bridgeRuleExprs } from '../../src/nftables/bridge-rules.js';
import * as C from '../../src/nftables/constants.js';
import { counter, ifnameMatch, rejectTarget, verdict } from '../../src/nftables/expressions.js';
import {
  changeMessage,
  encodeBatch,
  encodeRequest,
  getChainMessage,
  getGenMessage,
  getRulesMessage,
  getTablesMessage,
  type NftMessage,
} from '../../src/nftables/messages.js';
import type { Change, RuleSpec } from '../../src/nftables/model.js';
import { type Captured, capturedMessages, caseNames, splitMessages } from './golden-fixtures.js';

const NFT = C.NFNL_SUBSYS_NFTABLES << 8;

/** The one change message of the case's batch (between BATCH_BEGIN and BATCH_END). */
function batchChange(name: string): Captured {
  const msgs = capturedMessages(name);
  const begin = msgs.findIndex((m) => m.type === C.NFNL_MSG_BATCH_BEGIN);
  const end = msgs.findIndex((m) => m.type === C.NFNL_MSG_BATCH_END);
  if (begin < 0 || end !== begin + 2) throw new Error(`${name}: expected a batch of one message`);
  return msgs[begin + 1] as Captured;
}

function ours(change: Change): Buffer {
  const batch = encodeBatch([changeMessage(change)], { seq: 0, ack: false });
  return (splitMessages(batch)[1] as Captured).bytes;
}

function request(m: NftMessage, ack = false): Buffer {
  return (splitMessages(encodeRequest(m, 0, ack))[0] as Captured).bytes;
}

const rule = (chain: string, exprs: RuleSpec['exprs'], extra: Partial<RuleSpec> = {}): Change => ({
  op: 'addRule',
  rule: { family: 'ip', table: 'filter', chain, exprs, ...extra },
});

const cases: Array<[string, Change]> = [
  ['newtable', { op: 'addTable', table: { family: 'ip', name: 'os-vif' } }],
  [
    'newchain-base',
    {
      op: 'addChain',
      chain: {
        family: 'ip',
        table: 'os-vif',
        name: 'forward',
        hook: { hook: 'forward', priority: 0 },
        policy: 'accept',
      },
    },
  ],
  ['newchain-regular', { op: 'addChain', chain: { family: 'ip', table: 'filter', name: 'os-vif-br-br1' } }],
  [
    'newrule-iif-accept',
    rule('os-vif-br-br0', bridgeRuleExprs({ iifname: 'br0', action: 'ACCEPT' }, false), {
      comment: 'os-vif:br0',
    }),
  ],
  [
    'newrule-oif-drop',
    rule('os-vif-br-br0', bridgeRuleExprs({ oifname: 'br0', action: 'DROP' }, false), {
      comment: 'os-vif:br0',
    }),
  ],
  [
    'newrule-iif-oif-accept',
    rule('os-vif-br-br0', bridgeRuleExprs({ iifname: 'br0', oifname: 'eth1', action: 'ACCEPT' }, false), {
      comment: 'os-vif:br0',
    }),
  ],
  [
    'newrule-oif-reject',
    rule('os-vif-br-br0', bridgeRuleExprs({ oifname: 'br0', action: 'REJECT' }, true), {
      comment: 'os-vif:br0',
    }),
  ],
  [
    'newrule-insert-jump',
    rule('FORWARD', [counter(), verdict({ kind: 'jump', chain: 'os-vif-filter-top' })], {
      comment: 'os-vif',
      insert: true,
    }),
  ],
  [
    'newrule-append-jump',
    rule('os-vif-filter-top', [counter(), verdict({ kind: 'jump', chain: 'os-vif-br-br0' })], {
      comment: 'os-vif:br0',
    }),
  ],
  [
    'newrule-wildcard',
    rule('os-vif-br-br0', [...ifnameMatch('iifname', 'eth+'), counter(), verdict({ kind: 'accept' })]),
  ],
  ['delrule', { op: 'deleteRule', family: 'ip', table: 'filter', chain: 'os-vif-br-br0', handle: 4n }],
  ['flushchain', { op: 'flushChain', family: 'ip', table: 'filter', chain: 'os-vif-br-br0' }],
  ['delchain', { op: 'deleteChain', family: 'ip', table: 'filter', name: 'os-vif-br-br0' }],
  ['deltable', { op: 'deleteTable', family: 'ip', name: 'os-vif' }],
];

for (const [name, change] of cases) {
  test(`${name}: the bytes nft sends`, (t) => {
    const theirs = batchChange(name);
    t.is(ours(change).toString('hex'), theirs.bytes.toString('hex'));
  });
}

test('every golden case is checked', (t) => {
  const checked = new Set([
    ...cases.map(([n]) => n),
    'iptables-reject',
    'iptables-accept',
    'list-chain',
    'list-ruleset',
  ]);
  t.deepEqual(
    caseNames().filter((n) => !checked.has(n)),
    [],
  );
});

/** The expressions (NFTA_RULE_EXPRESSIONS payload) of a captured NEWRULE. */
function expressionsOf(m: Captured): string {
  let off = 20;
  while (off + 4 <= m.bytes.length) {
    const len = m.bytes.readUInt16LE(off);
    if ((m.bytes.readUInt16LE(off + 2) & 0x3fff) === C.NFTA_RULE_EXPRESSIONS)
      return m.bytes.subarray(off + 4, off + len).toString('hex');
    off += (len + 3) & ~3;
  }
  throw new Error('no expressions');
}

function exprsHex(exprs: RuleSpec['exprs']): string {
  const m = splitMessages(
    encodeBatch([changeMessage(rule('x', exprs))], { seq: 0, ack: false }),
  )[1] as Captured;
  return expressionsOf(m);
}

test('iptables-reject: -j REJECT is the x_tables target iptables-nft writes', (t) => {
  const theirs = batchChange('iptables-reject');
  // iptables-nft writes its counter with explicit zero values and the name compare on
  // strlen+1 bytes; the REJECT target element itself must be identical.
  const target = exprsHex([rejectTarget()]);
  t.true(expressionsOf(theirs).endsWith(target));
  t.is(theirs.type, NFT | C.NFT_MSG_NEWRULE);
});

test('iptables-accept: iptables-nft writes -i BR -j ACCEPT as meta iifname, cmp, counter, accept', (t) => {
  const theirs = expressionsOf(batchChange('iptables-accept'));
  const oursHex = exprsHex([
    { kind: 'meta', key: 'iifname', dreg: 1 },
    { kind: 'cmp', op: 'eq', sreg: 1, data: Buffer.from('br0\0') },
    { kind: 'counter', packets: 0n, bytes: 0n },
    verdict({ kind: 'accept' }),
  ]);
  // the same expressions but for the counter, which iptables-nft sends with both values zero
  const explicitCounter = oursHex.replace(
    '140001800c000100636f756e7465720004000280',
    '2c0001800c000100636f756e746572001c0002800c00010000000000000000000c0002000000000000000000',
  );
  t.is(theirs, explicitCounter);
});

test('GETGEN, GETTABLE, GETCHAIN and GETRULE: the bytes nft sends', (t) => {
  const listChain = capturedMessages('list-chain');
  const listRuleset = capturedMessages('list-ruleset');
  const find = (msgs: Captured[], type: number, flags: number) =>
    msgs.find((m) => m.type === (NFT | type) && m.flags === flags)?.bytes.toString('hex') ?? 'missing';
  t.is(request(getGenMessage()).toString('hex'), find(listRuleset, C.NFT_MSG_GETGEN, 1));
  t.is(request(getTablesMessage()).toString('hex'), find(listRuleset, C.NFT_MSG_GETTABLE, 0x301));
  t.is(
    request(getChainMessage('ip', 'filter', 'os-vif-br-br0'), true).toString('hex'),
    find(listChain, C.NFT_MSG_GETCHAIN, 5),
  );
  t.is(
    request(getRulesMessage('ip', 'filter', 'os-vif-br-br0')).toString('hex'),
    find(listChain, C.NFT_MSG_GETRULE, 0x301),
  );
});
