/** The `noop` plugin: VIFVHostUser setups where nothing is done on the host (§6.1). */
import type { PluginDescription } from './description.js';
import type { InstanceView, VifView } from './vif-view.js';

/** Does nothing, and does not look at the VIF. */
export class NoopPlugin {
  /** Plugin name. */
  static readonly pluginName = 'noop';
  /** No options. */
  static readonly CONFIG_OPTS = [] as const;

  /** VIFVHostUser 1.0, no profiles. */
  describe(): PluginDescription {
    return {
      plugin_name: 'noop',
      vif_info: [
        {
          vif_object_name: 'VIFVHostUser',
          min_version: '1.0',
          max_version: '1.0',
          supported_port_profiles: [],
        },
      ],
    };
  }

  /** Nothing to do. */
  async plug(_vif: VifView, _instance: InstanceView): Promise<void> {}

  /** Nothing to do. */
  async unplug(_vif: VifView, _instance: InstanceView): Promise<void> {}

  /** Nothing held. */
  async close(): Promise<void> {}
}
