/** The `noop` plugin: VIFVHostUser setups where nothing is done on the host (§6.1). */
import { describePlugin, type objects, PluginBase } from '../vif/index.js';

/** Does nothing, and does not look at the VIF. */
export class NoopPlugin extends PluginBase {
  /** Plugin name. */
  static override readonly pluginName: string = 'noop';

  /** VIFVHostUser 1.0, no profiles. */
  describe(): objects.HostPluginInfo {
    return describePlugin({
      plugin_name: 'noop',
      vif_info: [{ vif_object_name: 'VIFVHostUser', min_version: '1.0', max_version: '1.0' }],
    });
  }

  /** Nothing to do. */
  async plug(): Promise<void> {}

  /** Nothing to do. */
  async unplug(): Promise<void> {}
}
