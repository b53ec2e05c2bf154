/**
 * `ssl:` remotes: a private CA, a server certificate for 127.0.0.1 and a client certificate
 * (OVS asks for one), made with openssl in the sandbox's own directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { OvsdbClient, OvsdbConnectionError } from '../../src/ovsdb/index.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { sh } from '../harness/netns.js';
import { isRoot, rootSerial } from './_helpers.js';

const it = rootSerial(test);
let pki = '';
let sb: OvsSandbox | undefined;

function makePki(dir: string): void {
  const f = (n: string) => path.join(dir, n);
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=ovt-ca',
  ]);
  for (const who of ['server', 'client']) {
    sh('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
      '-subj',
      `/CN=ovt-${who}`,
    ]);
    sh('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${f(`${who}.ext`)}`]);
    sh('openssl', [
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${who}.pem`),
      '-days',
      '1',
      '-extfile',
      f(`${who}.ext`),
    ]);
  }
}

test.serial.before(async () => {
  if (!isRoot) return;
  pki = mkdtempSync('/tmp/ovtpki');
  makePki(pki);
  sb = await OvsSandbox.start({
    ssl: {
      port: true,
      privateKey: path.join(pki, 'server.key'),
      certificate: path.join(pki, 'server.pem'),
      caCert: path.join(pki, 'ca.pem'),
    },
  });
});
test.after.always(async () => {
  await sb?.stop();
  if (pki) rmSync(pki, { recursive: true, force: true });
});

it('transact over ssl with key, certificate and CA', async (t) => {
  const read = (n: string) => readFileSync(path.join(pki, n));
  const client = await OvsdbClient.connect(sb!.sslRemote!, {
    tls: { key: read('client.key'), cert: read('client.pem'), ca: read('ca.pem') },
  });
  try {
    t.true((await client.listDbs()).includes('Open_vSwitch'));
    const [r] = await client.transact('Open_vSwitch', [
      { op: 'insert', table: 'QoS', row: { type: 'over-ssl' } },
    ]);
    t.truthy(r?.uuid);
  } finally {
    await client.close();
  }
});

it('a server certificate from another CA is refused', async (t) => {
  const read = (n: string) => readFileSync(path.join(pki, n));
  const e = await t.throwsAsync(
    OvsdbClient.connect(sb!.sslRemote!, {
      tls: { key: read('client.key'), cert: read('client.pem'), ca: read('client.pem') },
      connectTimeoutMs: 2000,
    }),
    { instanceOf: OvsdbConnectionError },
  );
  t.is(e?.kind, 'refused');
});
