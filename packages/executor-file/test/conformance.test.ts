import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createFileArea } from '@vecron/sdk';
import { describeExecutor } from '@vecron/sdk/testing';
import { afterAll } from 'vitest';
import { fileExecutor } from '../src/index.js';

// describeExecutor builds a fresh context per test; hand it one prepared folder as the file area.
const dir = await mkdtemp(path.join(os.tmpdir(), 'vecron-file-conformance-'));
await writeFile(path.join(dir, 'khach-hang.csv'), 'name,city\nNguyễn Thị Minh Khai,Hà Nội\nTrần Văn Đức,Đà Nẵng\n');
const big = createWriteStream(path.join(dir, 'big.csv'));
big.write('id,name,amount\n');
for (let i = 0; i < 400_000; i++) if (!big.write(`${i},Tiền gửi tiết kiệm,${i}.5\n`)) await once(big, 'drain');
big.end();
await once(big, 'close');
afterAll(() => rm(dir, { recursive: true, force: true }));

describeExecutor('file_processing', {
  type: 'file_processing',
  create: () => fileExecutor(),
  context: { files: createFileArea(dir) },
  validConfig: () => ({ operation: 'read', format: 'csv', source_path: 'khach-hang.csv', options: { transformations: [{ type: 'filter', condition: "city = 'Hà Nội'" }] } }),
  slowConfig: () => ({
    operation: 'transform',
    source_path: 'big.csv',
    destination_path: 'out/big.xlsx',
    options: { transformations: [{ type: 'type_conversion', column: 'amount', target_type: 'decimal' }] },
  }),
  invalidConfigs: [
    { config: { operation: 'delete', source_path: 'a.csv' }, mentions: 'operation' },
    { config: { operation: 'read' }, mentions: 'source_path' },
    { config: { operation: 'write', destination_path: 'a.csv' }, mentions: 'data_source' },
    { config: { operation: 'read', source_path: 'a.csv', format: 'pdf' }, mentions: 'format' },
    { config: { operation: 'read', source_path: 'a.csv', options: { encoding: 'ebcdic' } }, mentions: 'options.encoding' },
    { config: { operation: 'read', source_path: 'a.csv', options: { transformations: [{ type: 'filter', condition: "city = 'Hà Nội" }] } }, mentions: 'options.transformations.0.condition' },
  ],
});
