/** The CNI documents this plugin reads and writes (spec 1.0 / 1.1). */

/** An interface of a result. */
export interface CniInterface {
  name: string;
  mac?: string;
  /** 1.1 only. */
  mtu?: number;
  sandbox?: string;
}

/** An address of a result; `interface` indexes `interfaces`. */
export interface CniIp {
  address: string;
  gateway?: string;
  interface?: number;
}

/** A route of a result. */
export interface CniRoute {
  dst: string;
  gw?: string;
}

/** DNS of a result. */
export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** A success result of ADD. */
export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIp[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** The environment of one invocation. */
export interface CniEnv {
  command: 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'STATUS' | 'GC';
  containerId?: string;
  netns?: string;
  ifname?: string;
  args?: string;
  path: string[];
}
