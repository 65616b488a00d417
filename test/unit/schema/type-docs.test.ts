import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadTypeSystem } from '../../../src/connectors/registry.js';
import { renderTypeDocs } from '../../../src/schema/type-docs.js';

it('docs/types.md is what the type systems generate (run npm run docs:types after changing a mapping)', async () => {
  const systems = await Promise.all((['sqlite', 'postgres', 'mysql'] as const).map((d) => loadTypeSystem(d)));
  const file = readFileSync(new URL('../../../docs/types.md', import.meta.url), 'utf8');
  expect(file).toBe(renderTypeDocs(systems));
});

it('names a loss for every mapping that is not lossless, and covers every engine pair', async () => {
  const systems = await Promise.all((['sqlite', 'postgres', 'mysql'] as const).map((d) => loadTypeSystem(d)));
  const doc = renderTypeDocs(systems);
  for (const source of systems) {
    expect(source.catalog.length).toBeGreaterThan(10);
    for (const target of systems) {
      if (source !== target) expect(doc).toContain(`## ${source.product} → ${target.product}`);
    }
  }
  const mappings = doc.slice(doc.indexOf(' → '));
  const rows = mappings
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| source type') && !l.startsWith('| ---'));
  expect(rows.length).toBeGreaterThan(60);
  for (const line of rows) {
    expect(line).toMatch(/\| (lossless|`[a-z-]+`: .+) \|$/);
  }
});
