import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts","src/calendar/index.ts","src/schedule/index.ts","src/template/index.ts","src/crypto/index.ts","src/testing/index.ts","src/adapters/postgres/index.ts","src/adapters/nats/index.ts","src/adapters/redis/index.ts","src/sql/index.ts"],
  format: ['esm'],
  // Declarations come from tsc (tsconfig.build.json): one .d.ts per module, no hashed chunk names.
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Error classes report their own names (`err.name`, and the branded `instanceof` across copies).
  keepNames: true,
});
