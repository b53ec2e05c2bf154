/**
 * Tap/tun creations of one namespace, coalesced. Creations asked for in the same event-loop
 * turn leave together in one native call (one thread that enters the namespace once), as the
 * socket sends the requests of one turn in one datagram. One batch runs at a time: creations
 * asked for while it runs form the next batch, so the kernel, which serialises device creation
 * under its RTNL lock anyway, never has two creating threads contending for it.
 */
import { type NativeError, native, type TunDeviceOptions } from '../native/addon.js';

interface Entry {
  device: TunDeviceOptions;
  resolve: () => void;
  reject: (error: NativeError) => void;
}

/** Most devices per native call (bounds how long one thread holds its batch). */
const MAX_BATCH = 1024;

export class TunBatcher {
  private queue: Entry[] = [];
  private scheduled = false;
  private running = false;
  /** Native calls made (for tests and benchmarks: shows the coalescing). */
  batches = 0;

  /** `netns`: the namespace file path, or undefined for the current namespace. */
  constructor(private readonly netns: string | undefined) {}

  /** Creates one persistent device; rejects with the device's own NativeError. */
  create(device: TunDeviceOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ device, resolve, reject });
      if (!this.running && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.run();
        });
      }
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.batches++;
      try {
        const results = await native().tunCreateBatch({
          ...(this.netns ? { netns: this.netns } : {}),
          devices: batch.map((e) => e.device),
        });
        batch.forEach((e, i) => {
          const error = results[i];
          if (error) e.reject(error);
          else e.resolve();
        });
      } catch (e) {
        // the namespace could not be entered (or the arguments were refused): nothing was made
        for (const entry of batch) entry.reject(e as NativeError);
      }
    }
    this.running = false;
  }
}
