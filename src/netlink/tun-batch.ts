/**
 * Tap/tun creations of one namespace, coalesced by a {@link TurnBatcher}: those asked for in the
 * same event-loop turn leave together in one native call. The kernel serialises device creation
 * under its RTNL lock anyway, so one batch at a time costs nothing.
 */
import { native, type TunDeviceOptions } from '../native/addon.js';
import { TurnBatcher } from './turn-batcher.js';

/** Most devices per native call (bounds how long one thread holds its batch). */
const MAX_BATCH = 1024;

export class TunBatcher {
  private readonly batcher: TurnBatcher<TunDeviceOptions, undefined>;

  /** `netns`: the namespace file path, or undefined for the current namespace. */
  constructor(netns: string | undefined) {
    this.batcher = new TurnBatcher(async (devices) => {
      // a throw (the namespace could not be entered, arguments refused): nothing was made
      const results = await native().tunCreateBatch({ ...(netns ? { netns } : {}), devices });
      return devices.map((_, i) => (results[i] ? { error: results[i] } : { value: undefined }));
    }, MAX_BATCH);
  }

  /** Native calls made (for tests and benchmarks: shows the coalescing). */
  get batches(): number {
    return this.batcher.batches;
  }

  /** Creates one persistent device; rejects with the device's own NativeError. */
  async create(device: TunDeviceOptions): Promise<void> {
    await this.batcher.submit(device);
  }
}
