/** Writes docs/configuration.md from the configuration schema (see src/config/config-reference.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from '../src/config/config-reference.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/configuration.md');
writeFileSync(out, renderConfigReference());
process.stdout.write(`wrote ${out}\n`);
