#!/usr/bin/env node
// Writes docs/types.md from the built type systems (run `npm run build` first; `npm run docs:types` does).
import { writeFileSync } from 'node:fs';
import { loadTypeSystem } from '../dist/connectors/registry.js';
import { renderTypeDocs } from '../dist/schema/type-docs.js';

const systems = await Promise.all(['sqlite', 'postgres', 'mysql'].map((dialect) => loadTypeSystem(dialect)));
writeFileSync(new URL('../docs/types.md', import.meta.url), renderTypeDocs(systems));
console.log('wrote docs/types.md');
