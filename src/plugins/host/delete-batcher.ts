/**
 * Coalesces link deletions into group deletes. The kernel's cost of unregistering a device (an
 * RCU grace period, about 17 ms here) is paid once per request, so concurrent unplugs share it
 * instead of queueing behind each other. Deletions issued in one turn of the event loop, and
 * all those issued while a batch is with the kernel, form the next batch. A lone deletion is
 * sent as it is.
 */

/** What the batcher needs from the netlink layer. */
export interface GroupDeleter {
  /** Deletes one link by name. */
  deleteOne(name: string): Promise<void>;
  /** Moves a link into device group `group`. */
  setGroup(name: string, group: number): Promise<void>;
  /** Deletes every link of device group `group`. */
  deleteGroup(group: number): Promise<void>;
}

interface Pending {
  name: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Group numbers used for batches: a high range no one assigns by hand, varied per process. */
const GROUP_BASE = 0x6f760000 + ((process.pid & 0xff) << 8);

/** Batches deletions; `delete(name)` resolves when that link is gone. */
export class DeleteBatcher {
  private pending: Pending[] = [];
  private next = 0;
  private flushing = false;

  constructor(private readonly nl: GroupDeleter) {}

  /** Deletes `name`, possibly together with other deletions of this turn. */
  delete(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ name, resolve, reject });
      if (this.pending.length === 1 && !this.flushing) setImmediate(() => void this.drain());
    });
  }

  /** Sends batches until nothing is pending. */
  private async drain(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) await this.flush();
    } finally {
      this.flushing = false;
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      await this.nl.deleteOne(only.name).then(only.resolve, only.reject);
      return;
    }
    const group = GROUP_BASE + (this.next++ & 0xff);
    const grouped = await Promise.all(
      batch.map((p) =>
        this.nl.setGroup(p.name, group).then(
          () => true,
          (error: unknown) => {
            p.reject(error);
            return false;
          },
        ),
      ),
    );
    const members = batch.filter((_, i) => grouped[i]);
    if (members.length === 0) return;
    try {
      await this.nl.deleteGroup(group);
      for (const p of members) p.resolve();
    } catch (error) {
      for (const p of members) p.reject(error);
    }
  }
}
