import { existsSync } from 'node:fs';
import http from 'node:http';
import type { ServerKind } from './binaries.js';

/**
 * The Docker path: when a server's binaries are missing but a Docker engine answers, the server
 * runs as a container through testcontainers. NOT RUN on vecron's own CI machine (it has no
 * Docker engine); see packages/test-servers/README.md.
 */

/** A started container, as the provisioning code needs it. */
export interface ContainerServer {
  url: string;
  stop(): Promise<void>;
}

/** The Docker engine's socket path, when DOCKER_HOST (unix://) or /var/run/docker.sock names one. */
function dockerSocket(): string | null {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  if (host) return null;
  return existsSync('/var/run/docker.sock') ? '/var/run/docker.sock' : null;
}

/** True when a Docker engine answers `GET /_ping` within 2 s (unix socket, or DOCKER_HOST=tcp://…). */
export async function dockerReachable(): Promise<boolean> {
  const socketPath = dockerSocket();
  const host = process.env.DOCKER_HOST;
  const target = socketPath ? { socketPath } : host?.startsWith('tcp://') ? (() => {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port || 2375) };
  })() : null;
  if (!target) return false;
  return new Promise<boolean>((resolve) => {
    const req = http.get({ ...target, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Images of the Docker path (pinned majors, matching what the integration tests were written against). */
export const CONTAINER_IMAGES: Record<ServerKind, string> = {
  postgres: 'postgres:16-alpine',
  mariadb: 'mariadb:10.11',
  redis: 'redis:7-alpine',
  nats: 'nats:2.10-alpine',
};

/** Starts one server kind as a container (testcontainers is imported only on this path). */
export async function startContainer(kind: ServerKind): Promise<ContainerServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = CONTAINER_IMAGES[kind];
  if (kind === 'postgres') {
    const c = await new GenericContainer(image)
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=300'])
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    return { url: `postgres://postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`, stop: async () => void (await c.stop()) };
  }
  if (kind === 'mariadb') {
    const c = await new GenericContainer(image)
      .withEnvironment({ MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1', MARIADB_DATABASE: 'test' })
      .withCommand(['--max-connections=300', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'])
      .withExposedPorts(3306)
      .withWaitStrategy(Wait.forLogMessage(/ready for connections/, 2))
      .start();
    return { url: `mysql://root@${c.getHost()}:${c.getMappedPort(3306)}/test`, stop: async () => void (await c.stop()) };
  }
  if (kind === 'redis') {
    const c = await new GenericContainer(image)
      .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    return { url: `redis://${c.getHost()}:${c.getMappedPort(6379)}`, stop: async () => void (await c.stop()) };
  }
  const c = await new GenericContainer(image)
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return { url: `nats://${c.getHost()}:${c.getMappedPort(4222)}`, stop: async () => void (await c.stop()) };
}
