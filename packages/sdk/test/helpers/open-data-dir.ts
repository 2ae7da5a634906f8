// Child process used by restart.test.ts: tries to open a data folder another process holds.
import { embeddedStorage } from '@vecron/sdk';
import type { VecronError } from '@vecron/sdk';

const dir = process.argv[2];
if (!dir) process.exit(2);
try {
  const s = await embeddedStorage({ dataDir: dir });
  await s.close();
  process.exit(0);
} catch (err) {
  const e = err as VecronError;
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exit(3);
}
