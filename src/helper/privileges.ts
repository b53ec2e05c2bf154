/**
 * The helper's privileges: CAP_NET_ADMIN and nothing else, on every thread.
 *
 * Linux keeps capability sets per thread, and Node starts threads (V8, libuv) before any script
 * runs, so dropping capabilities on the event loop thread alone would leave the others with
 * everything. The helper therefore reduces the sets of its event loop thread (bounding set,
 * ambient and inheritable cleared, permitted = effective = {CAP_NET_ADMIN}, no_new_privs) and
 * execs itself from that thread: the new program, and every thread it starts, gets only
 * CAP_NET_ADMIN (as uid 0, a program's permitted set on exec is its bounding set). The new
 * program checks every thread in /proc/self/task and refuses to run unless each one holds
 * exactly that.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { native } from '../native/addon.js';
import { HelperPrivilegeError } from './errors.js';

/** CAP_NET_ADMIN's number (linux/capability.h). */
export const CAP_NET_ADMIN = 12;

/** The environment variable that marks the re-executed helper. */
export const REEXEC_MARKER = 'OS_VIF_HELPER_REEXECUTED';

/** One thread's credentials as /proc/PID/task/TID/status shows them. */
export interface TaskCredentials {
  tid: number;
  /** Real, effective, saved and filesystem uid. */
  uids: number[];
  inheritable: bigint;
  permitted: bigint;
  effective: bigint;
  bounding: bigint;
  ambient: bigint;
  noNewPrivs: boolean;
}

/** Reads the credentials from one status file's text. */
export function parseStatus(tid: number, status: string): TaskCredentials {
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
    if (!m) throw new HelperPrivilegeError({ reason: `/proc status of task ${tid} has no ${name}` });
    return (m[1] as string).trim();
  };
  const mask = (name: string) => BigInt(`0x${field(name)}`);
  return {
    tid,
    uids: field('Uid').split(/\s+/).map(Number),
    inheritable: mask('CapInh'),
    permitted: mask('CapPrm'),
    effective: mask('CapEff'),
    bounding: mask('CapBnd'),
    ambient: mask('CapAmb'),
    noNewPrivs: field('NoNewPrivs') === '1',
  };
}

/** Every thread of process `pid` (default: this one), from /proc/PID/task/TID/status. */
export function readTaskCredentials(pid: number | 'self' = 'self'): TaskCredentials[] {
  const out: TaskCredentials[] = [];
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${entry}/status`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    out.push(parseStatus(Number(entry), status));
  }
  return out;
}

/** What differs from "exactly CAP_NET_ADMIN, nothing inheritable or ambient, no_new_privs"; empty when nothing. */
export function privilegeProblems(tasks: readonly TaskCredentials[]): string[] {
  const want = 1n << BigInt(CAP_NET_ADMIN);
  const problems: string[] = [];
  for (const t of tasks) {
    const sets: [string, bigint, bigint][] = [
      ['permitted', t.permitted, want],
      ['effective', t.effective, want],
      ['bounding', t.bounding, want],
      ['inheritable', t.inheritable, 0n],
      ['ambient', t.ambient, 0n],
    ];
    for (const [name, have, expected] of sets) {
      if (have !== expected)
        problems.push(
          `thread ${t.tid}: ${name} set is 0x${have.toString(16)}, not 0x${expected.toString(16)}`,
        );
    }
    if (!t.noNewPrivs) problems.push(`thread ${t.tid}: no_new_privs is not set`);
  }
  return problems;
}

/**
 * Makes sure this process holds CAP_NET_ADMIN only, on every thread. Returns when it does;
 * otherwise reduces the event loop thread's sets and execs the same command again (it does not
 * return then). Throws {@link HelperPrivilegeError} when the sets cannot be reduced, or when the
 * re-executed program still holds anything else.
 */
export function ensureNetAdminOnly(): void {
  const problems = privilegeProblems(readTaskCredentials());
  if (problems.length === 0) return;
  if (process.env[REEXEC_MARKER] === '1') {
    throw new HelperPrivilegeError({
      reason: `after dropping privileges: ${problems.slice(0, 3).join('; ')}`,
    });
  }
  try {
    native().capsRestrict(CAP_NET_ADMIN);
  } catch (error) {
    throw new HelperPrivilegeError(
      {
        reason: `cannot keep only CAP_NET_ADMIN (${(error as Error).message}); start it as root, or from a unit that grants CAP_NET_ADMIN (docs/helper.md)`,
      },
      { cause: error },
    );
  }
  const env = Object.entries({ ...process.env, [REEXEC_MARKER]: '1' }).map(([k, v]) => `${k}=${v ?? ''}`);
  try {
    native().execSelf(
      process.execPath,
      [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      env,
    );
  } catch (error) {
    throw new HelperPrivilegeError(
      { reason: `cannot re-execute: ${(error as Error).message}` },
      { cause: error },
    );
  }
}
