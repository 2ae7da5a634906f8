/**
 * Part of `pnpm build` of @vecron/sdk: writes the migrated, empty embedded database image into
 * `dist/`, so the first embedded store an npm user opens skips PGlite's initdb (2.5–3 s and
 * ~600 MB of WebAssembly memory that a process never gives back). The file name carries a hash of
 * the migrations, so a package whose migrations changed never loads an old image.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTemplateImage } from '../src/storage/embedded/template-image.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
process.stdout.write(`wrote ${path.relative(process.cwd(), await writeTemplateImage(dist))}\n`);
