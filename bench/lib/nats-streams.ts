import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { NATS_URL } from './env.js';

/** Deletes the JetStream streams `names` (a missing one is no error) on `servers`. */
export async function dropNatsStreams(names: string[], servers = NATS_URL): Promise<void> {
  const nc = await connect({ servers, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (const n of names) await jsm.streams.delete(n).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
