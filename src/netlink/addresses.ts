/** `nl.addresses`: IPv4 and IPv6 addresses of interfaces. */
import type { AddressBody } from './codec/rtnl.js';
import type { NetlinkContext } from './context.js';
import { LinkNotFound, NetlinkError, NetlinkValidationError } from './errors.js';
import type { LinkRef } from './link-spec.js';
import type { Links } from './links.js';
import {
  type AddressSpec,
  addressDumpRequest,
  addressRequest,
  checkAddressSpec,
} from './requests/address.js';
import { checkNameOrIndex } from './validate.js';
import { type Address, addressView } from './views.js';

/** The IPv4 and IPv6 addresses of interfaces (`nl.addresses`): add, del, list. */
export class Addresses {
  constructor(
    private readonly nl: NetlinkContext,
    private readonly links: Links,
  ) {}

  /** Adds an address (EEXIST when present, unless `replace`). */
  async add(spec: AddressSpec): Promise<void> {
    await this.run('add', spec);
  }

  /** Removes an address (EADDRNOTAVAIL when absent). */
  async del(spec: AddressSpec): Promise<void> {
    await this.run('del', spec);
  }

  /** Lists addresses, optionally of one interface and/or one family. */
  async list(filter: { interface?: LinkRef; family?: 4 | 6 } = {}): Promise<Address[]> {
    if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) {
      throw new NetlinkValidationError('family', filter.family, 'must be 4 or 6');
    }
    const index =
      filter.interface === undefined
        ? undefined
        : await this.links.index(checkNameOrIndex('interface', filter.interface));
    const all = await this.nl.dump(addressDumpRequest(filter.family), { operation: 'addresses.list' }, (b) =>
      b.family === 'address' ? addressView(b as AddressBody) : undefined,
    );
    return all.filter((a) => index === undefined || a.index === index);
  }

  private async run(op: 'add' | 'del', spec: AddressSpec): Promise<void> {
    checkAddressSpec(spec);
    const ctx = { operation: `addresses.${op}`, interface: String(spec.interface) };
    const index = await this.links.index(spec.interface);
    try {
      await this.nl.request(addressRequest(op, spec, index), ctx);
    } catch (e) {
      if (e instanceof NetlinkError && e.code === 'ENODEV')
        throw new LinkNotFound({ ...ctx, code: 'ENODEV', errno: 19 });
      throw e;
    }
  }
}
