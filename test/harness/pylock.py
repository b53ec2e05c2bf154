"""Takes an os-vif lock exactly as Python os-vif does, for the interoperability tests.

oslo.concurrency reads the lock directory from OSLO_LOCK_PATH (its `lock_path` default) and
locks the file of the bare name there with fasteners' fcntl.lockf.

  pylock.py hold NAME   prints "held" once it holds the lock, releases on a line "release" on
                        stdin, then prints "released"
  pylock.py try NAME    prints "free" when the lock could be taken at once (and releases it),
                        "busy" when another process holds it
"""
import sys

from oslo_concurrency import lockutils

mode, name = sys.argv[1], sys.argv[2]
if mode == 'hold':
    with lockutils.lock(name, external=True):
        print('held', flush=True)
        sys.stdin.readline()
    print('released', flush=True)
elif mode == 'try':
    try:
        with lockutils.lock(name, external=True, blocking=False):
            print('free', flush=True)
    except lockutils.AcquireLockFailedException:
        print('busy', flush=True)
else:
    sys.exit('usage: pylock.py hold|try NAME')
