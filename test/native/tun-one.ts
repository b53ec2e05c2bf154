/** One tun/tap device through tunCreateBatch (the addon's only creation call), as a promise. */
import { native, type TunDeviceOptions } from '../../src/native/addon.js';

/** Creates `device` in `netns`; rejects with the device's NativeError. */
export async function tunCreate(options: TunDeviceOptions & { netns?: string }): Promise<void> {
  const { netns, ...device } = options;
  const [error] = await native().tunCreateBatch({ ...(netns ? { netns } : {}), devices: [device] });
  if (error) throw error;
}
