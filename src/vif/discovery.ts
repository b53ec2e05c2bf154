/**
 * Plugin discovery: npm packages installed beside the library that declare plugins in their
 * package.json under the key `"os-vif"`:
 *
 * ```json
 * { "name": "os-vif-plugin-acme", "os-vif": { "plugins": { "acme": "./dist/plugin.js" } } }
 * ```
 *
 * Each value is a module path inside the package, optionally `#ExportName`; without it the
 * module's `default` export is used, then an export named `plugin`. The export is a plugin class
 * (a {@link PluginBase} subclass). A package that fails to import is logged and skipped.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from './logger.js';
import type { PluginClass } from './plugin.js';

/** The package.json key plugins are declared under. */
export const PACKAGE_KEY = 'os-vif';

/** A plugin found in an installed package. */
export interface DiscoveredPlugin {
  readonly name: string;
  readonly packageName: string;
  readonly cls: PluginClass;
}

/** Is this a plugin class (has `load` and, if present, a `CONFIG_OPTS` array)? */
export function isPluginClass(value: unknown): value is PluginClass {
  if (typeof value !== 'function') return false;
  const v = value as unknown as Partial<PluginClass>;
  return typeof v.load === 'function' && (v.CONFIG_OPTS === undefined || Array.isArray(v.CONFIG_OPTS));
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The root directory of this library's own package. */
async function ownPackageRoot(): Promise<string | undefined> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = (await readJson(join(dir, 'package.json'))) as { name?: unknown } | undefined;
    if (pkg?.name === 'os-vif') return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Where to look by default: `node_modules` inside this package, and the `node_modules` this
 * package is installed in (directly or under an `@scope`).
 */
export async function defaultSearchDirs(): Promise<string[]> {
  const root = await ownPackageRoot();
  if (!root) return [];
  const dirs = [join(root, 'node_modules')];
  let parent = dirname(root);
  if (basename(parent).startsWith('@')) parent = dirname(parent);
  if (basename(parent) === 'node_modules') dirs.push(parent);
  return dirs;
}

async function packageDirs(nodeModules: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(nodeModules)).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) {
      for (const s of await packageDirs(join(nodeModules, e))) out.push(s);
    } else out.push(join(nodeModules, e));
  }
  return out;
}

async function importPlugin(pkgDir: string, spec: string): Promise<PluginClass> {
  const [file = '', exportName] = spec.split('#');
  const real = await realpath(pkgDir);
  const target = resolve(real, file);
  const rel = relative(real, target);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep))
    throw new Error(`module ${spec} is outside the package`);
  const mod = (await import(pathToFileURL(target).href)) as Record<string, unknown>;
  const value = exportName ? mod[exportName] : (mod.default ?? mod.plugin);
  if (!isPluginClass(value)) throw new Error(`${spec} does not export a plugin class`);
  return value;
}

/** Find and import the plugins declared by packages in `dirs` (each a `node_modules`). */
export async function discoverPlugins(dirs: readonly string[], logger: Logger): Promise<DiscoveredPlugin[]> {
  const found: DiscoveredPlugin[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const pkgDirs = await packageDirs(dir);
    // Read every package.json at once; handle them in (sorted) order.
    const pkgs = await Promise.all(pkgDirs.map((d) => readJson(join(d, 'package.json'))));
    for (const [index, pkgDir] of pkgDirs.entries()) {
      const pkg = pkgs[index] as Record<string, unknown> | undefined;
      const decl = (pkg?.[PACKAGE_KEY] as { plugins?: unknown } | undefined)?.plugins;
      if (!decl || typeof decl !== 'object') continue;
      const packageName = typeof pkg?.name === 'string' ? pkg.name : basename(pkgDir);
      for (const [name, spec] of Object.entries(decl as Record<string, unknown>)) {
        if (seen.has(name)) {
          logger.warn({ plugin: name, package: packageName }, 'Duplicate VIF plugin name, keeping the first');
          continue;
        }
        try {
          if (typeof spec !== 'string') throw new Error('the module path must be a string');
          found.push({ name, packageName, cls: await importPlugin(pkgDir, spec) });
          seen.add(name);
        } catch (err) {
          logger.error({ plugin: name, package: packageName, err }, 'Could not import VIF plugin, skipped');
        }
      }
    }
  }
  return found;
}
