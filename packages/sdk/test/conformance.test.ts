import { embeddedStorage, memoryQueue } from '@vecron/sdk';
import { describeQueue, describeStorage } from '@vecron/sdk/testing';

describeStorage('embedded (PGlite in memory)', { create: () => embeddedStorage() });
describeQueue('in-process', { create: async () => memoryQueue() });
