// Fails when a relative link in the given Markdown files (or folders, recursively) names a
// file that does not exist. Links to the web and to anchors within a page are not followed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const files = [];
const walk = (p) => {
  if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  else if (p.endsWith('.md')) files.push(p);
};
for (const arg of process.argv.slice(2)) walk(arg);

const broken = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
    const path = decodeURIComponent(target.split('#')[0]);
    if (!existsSync(resolve(dirname(file), path))) broken.push(`${file}: ${target}`);
  }
}
if (broken.length > 0) {
  console.error(`broken links (${broken.length}):\n${broken.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} Markdown files, no broken link`);
