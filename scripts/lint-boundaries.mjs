#!/usr/bin/env node
// Architecture rules that the formatter's linter cannot express (STYLE.md rules 3, 8 and 16):
// - process.exit only in src/cli/ (and the exit code only in src/cli/main.ts);
// - a connector folder never imports another connector's internals;
// - outside src/connectors/<engine>/, no code imports a database driver.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const engines = ['postgres', 'mysql', 'sqlite'];
const drivers = ['pg', 'pg-copy-streams', 'pg-cursor', 'mysql2', 'mysql2/promise', 'better-sqlite3'];
const problems = [];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

for (const file of files(join(root, 'src'))) {
  const rel = relative(root, file).split(sep).join('/');
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const engine = engines.find((name) => rel.startsWith(`src/connectors/${name}/`));
  lines.forEach((line, index) => {
    const where = `${rel}:${index + 1}`;
    if (/\bprocess\.exit\s*\(/.test(line) && !rel.startsWith('src/cli/')) {
      problems.push(`${where}: process.exit outside src/cli/`);
    }
    if (/\bprocess\.exitCode\s*=/.test(line) && rel !== 'src/cli/main.ts') {
      problems.push(`${where}: only src/cli/main.ts sets the exit code`);
    }
    const imported = /\bfrom\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/.exec(line);
    const spec = imported?.[1] ?? imported?.[2];
    if (!spec) return;
    // The embedded state store (DESIGN.md principle 7) is SQLite too, in its own folder.
    const stateStore = rel.startsWith('src/state/sqlite/') && spec === 'better-sqlite3';
    if (drivers.includes(spec) && !engine && !stateStore)
      problems.push(`${where}: driver ${spec} imported outside a connector`);
    for (const other of engines) {
      if (other !== engine && engine && spec.includes(`/${other}/`)) {
        problems.push(`${where}: ${engine} connector imports the ${other} connector's internals`);
      }
    }
  });
}

if (problems.length > 0) {
  console.error(`lint-boundaries: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('lint-boundaries: ok');
}
