/**
 * Attachment records, for GC: one small JSON file per attachment in
 * `<dataDir>/<network>/<containerId>-<ifname>.json`, written after a successful ADD and removed
 * by DEL. DEL and CHECK need none (the VIF derives from the container id and interface).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What GC needs to remove an attachment. */
export interface AttachmentRecord {
  containerId: string;
  ifname: string;
  netns: string;
}

const file = (dir: string, network: string, containerId: string, ifname: string) =>
  join(dir, network, `${containerId}-${ifname}.json`);

/** Writes the record (atomically: a temporary file renamed into place). */
export async function writeRecord(dir: string, network: string, r: AttachmentRecord): Promise<void> {
  await mkdir(join(dir, network), { recursive: true, mode: 0o700 });
  const path = file(dir, network, r.containerId, r.ifname);
  await writeFile(`${path}.tmp`, JSON.stringify(r), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/** Removes the record; absent is fine. */
export async function removeRecord(
  dir: string,
  network: string,
  containerId: string,
  ifname: string,
): Promise<void> {
  await rm(file(dir, network, containerId, ifname), { force: true });
}

/** Every record of a network (unreadable ones are skipped). */
export async function listRecords(dir: string, network: string): Promise<AttachmentRecord[]> {
  const names = await readdir(join(dir, network)).catch(() => [] as string[]);
  const out: AttachmentRecord[] = [];
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    try {
      const r = JSON.parse(await readFile(join(dir, network, n), 'utf8')) as AttachmentRecord;
      if (typeof r.containerId === 'string' && typeof r.ifname === 'string') out.push(r);
    } catch {
      // a record being written by a concurrent ADD, or damaged: GC leaves it
    }
  }
  return out;
}
