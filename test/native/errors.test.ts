/** errno names come from the kernel headers; they agree with libc's as Node reports them. */
import { constants } from 'node:os';
import test from 'ava';
import { native } from '../../src/native/addon.js';

test('errnoName agrees with os.constants.errno for every number libc knows', (t) => {
  const byNumber = new Map<number, string[]>();
  for (const [name, number] of Object.entries(constants.errno)) {
    byNumber.set(number, [...(byNumber.get(number) ?? []), name]);
  }
  t.true(byNumber.size > 70);
  for (const [number, names] of byNumber) {
    t.true(
      names.includes(native().errnoName(number)),
      `${number}: ${native().errnoName(number)} in ${names}`,
    );
  }
});

test('canonical names for aliases, E<number> for unknown numbers', (t) => {
  t.is(native().errnoName(11), 'EAGAIN');
  t.is(native().errnoName(35), 'EDEADLK');
  t.is(native().errnoName(105), 'ENOBUFS');
  t.is(native().errnoName(9999), 'E9999');
  t.is(native().errnoName(0), 'E0');
  t.throws(() => native().errnoName(-1), { instanceOf: TypeError });
});
