/**
 * Dumps that the kernel flags NLM_F_DUMP_INTR are retried, then give DumpInterrupted with the
 * last attempt's result. The socket is replaced by a scripted one (the retry logic is pure).
 */
import test from 'ava';
import { RTM_NEWLINK } from '../../src/netlink/codec/constants.js';
import type { NlMessage } from '../../src/netlink/codec/message.js';
import type { LinkBody } from '../../src/netlink/codec/rtnl.js';
import { encodeRtnl } from '../../src/netlink/codec/rtnl.js';
import { NetlinkContext } from '../../src/netlink/context.js';
import { DumpInterrupted } from '../../src/netlink/errors.js';
import { linkDumpRequest } from '../../src/netlink/requests/link.js';
import type { NetlinkSocket, Reply } from '../../src/netlink/socket.js';
import { linkView } from '../../src/netlink/views.js';

function linkMessage(index: number, name: string): NlMessage {
  const bytes = encodeRtnl([
    {
      type: RTM_NEWLINK,
      flags: 2,
      seq: 1,
      pid: 0,
      body: {
        family: 'link',
        header: { family: 0, type: 1, index, flags: 0, change: 0 },
        attrs: [{ type: 3, value: name }],
      },
    },
  ]);
  return { type: RTM_NEWLINK, flags: 2, seq: 1, pid: 0, payload: bytes.subarray(16) };
}

/** A socket whose dumps answer from a script: each entry is one attempt. */
function scripted(attempts: Reply[]): { socket: NetlinkSocket; calls: () => number } {
  let n = 0;
  const socket = {
    request: async () => attempts[Math.min(n++, attempts.length - 1)],
  } as unknown as NetlinkSocket;
  return { socket, calls: () => n };
}

const view = (b: unknown) => linkView(b as LinkBody);

test('an interrupted dump is retried and the consistent result returned', async (t) => {
  const s = scripted([
    { messages: [linkMessage(1, 'lo')], interrupted: true },
    { messages: [linkMessage(1, 'lo')], interrupted: true },
    { messages: [linkMessage(1, 'lo'), linkMessage(2, 'br0')], interrupted: false },
  ]);
  const ctx = new NetlinkContext(s.socket, undefined, {}, 5);
  const links = await ctx.dump(linkDumpRequest(), { operation: 'links.list' }, view);
  t.deepEqual(
    links.map((l) => l.name),
    ['lo', 'br0'],
  );
  t.is(s.calls(), 3);
});

test('a dump interrupted on every attempt gives DumpInterrupted with the partial result', async (t) => {
  const s = scripted([{ messages: [linkMessage(1, 'lo'), linkMessage(7, 'half')], interrupted: true }]);
  const ctx = new NetlinkContext(s.socket, undefined, {}, 2);
  const e = await t.throwsAsync(ctx.dump(linkDumpRequest(), { operation: 'links.list' }, view), {
    instanceOf: DumpInterrupted,
  });
  if (!e) return;
  t.is(e.attempts, 3);
  t.is(e.code, 'EINTR');
  t.deepEqual(
    (e.partial as { name: string }[]).map((l) => l.name),
    ['lo', 'half'],
  );
  t.is(s.calls(), 3);
});
