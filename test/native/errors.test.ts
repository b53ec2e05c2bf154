/** errno names: the addon's (glibc) and errnoName's (os.constants.errno) agree. */
import { constants } from 'node:os';
import test from 'ava';
import { native } from '../../src/native/addon.js';
import { errnoName } from '../../src/native/errno.js';

test('errnoName agrees with os.constants.errno for every number libc knows', (t) => {
  const byNumber = new Map<number, string[]>();
  for (const [name, number] of Object.entries(constants.errno)) {
    byNumber.set(number, [...(byNumber.get(number) ?? []), name]);
  }
  t.true(byNumber.size > 70);
  for (const [number, names] of byNumber) {
    t.true(names.includes(errnoName(number)), `${number}: ${errnoName(number)} in ${names}`);
  }
});

test('canonical names for aliases, E<number> for unknown numbers', (t) => {
  t.is(errnoName(11), 'EAGAIN');
  t.is(errnoName(35), 'EDEADLK');
  t.is(errnoName(95), 'EOPNOTSUPP');
  t.is(errnoName(105), 'ENOBUFS');
  t.is(errnoName(9999), 'E9999');
  t.is(errnoName(0), 'E0');
});

test('the addon names its errors as errnoName does', async (t) => {
  // Refused before any system call, and failing in one: both carry code and errno.
  const refused = await t.throwsAsync(native().netnsDelete('a/b'));
  t.like(refused, { code: 'EINVAL', errno: 22 });
  const missing = await t.throwsAsync(native().sysctlRead({ netns: '/nonexistent/ns', path: 'x' }));
  t.like(missing, { code: errnoName(2), errno: 2, syscall: 'open', path: '/nonexistent/ns' });
  t.false('errnoName' in native(), 'the duplicate errno table is gone from the addon');
});
