/**
 * The identity of the guest a VIF belongs to.
 */
import { type Init, registerObject, VersionedObject } from './base.js';
import { field, t } from './fields.js';

/** Identity of the instance (VM or container) a VIF is plugged for. */
export class InstanceInfo extends VersionedObject {
  static override readonly objName: string = 'InstanceInfo';
  static override readonly VERSION: string = '1.0';
  static override readonly fields = {
    uuid: field(t.uuid),
    name: field(t.string),
    project_id: field(t.string),
  };
  declare readonly objName: 'InstanceInfo';
  /** Instance UUID. */
  declare uuid: string;
  /** Instance name. */
  declare name: string;
  /** Owning project. */
  declare project_id: string;
  constructor(init: Init<InstanceInfo> = {}) {
    super(init);
  }
}
registerObject(InstanceInfo);
