/** Ferry's version, read from package.json so there is one place to change it. */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The package version, e.g. `0.1.0`. */
export const VERSION = manifest.version;
