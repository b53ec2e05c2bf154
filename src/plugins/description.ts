/**
 * A plugin's `describe()` answer in the shape of os-vif's HostPluginInfo primitive data.
 * TEMPORARY: replaced by `src/vif`'s HostPluginInfo objects once that layer exports them.
 */
export interface PluginDescription {
  plugin_name: string;
  vif_info: {
    vif_object_name: string;
    min_version: string;
    max_version: string;
    supported_port_profiles: { profile_object_name: string; min_version: string; max_version: string }[];
  }[];
}
