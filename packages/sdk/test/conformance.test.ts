import { embeddedStorage, memoryCoordination, memoryQueue } from '@vecron/sdk';
import { describeCoordination, describeQueue, describeStorage } from '@vecron/sdk/testing';

describeStorage('embedded (PGlite in memory)', { create: () => embeddedStorage() });
describeQueue('in-process', { create: async () => memoryQueue() });
// One object is one backend: a second process's view of in-process coordination is the same object.
describeCoordination('in-process', { create: async () => memoryCoordination(), peer: async (c) => c });
