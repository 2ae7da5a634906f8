import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The four server kinds the tests provision. */
export type ServerKind = 'postgres' | 'mariadb' | 'redis' | 'nats';

/** How to get a server's binaries, shown when they are missing. */
export const INSTALL_HINTS: Record<ServerKind, string> = {
  postgres: 'PostgreSQL (initdb, postgres, pg_isready): apt-get install postgresql | dnf install postgresql-server | brew install postgresql',
  mariadb: 'MariaDB (mariadb-install-db, mariadbd): apt-get install mariadb-server | dnf install mariadb-server | brew install mariadb',
  redis: 'Redis (redis-server): apt-get install redis-server | dnf install redis | brew install redis',
  nats: 'NATS (nats-server, with JetStream): apt-get install nats-server | go install github.com/nats-io/nats-server/v2@latest | brew install nats-server',
};

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable named one of `names` on PATH, then in the sbin folders (Debian puts mariadbd and nats-server there). */
export function findBinary(names: string[], extraDirs: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN, ...extraDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (executable(file)) return file;
    }
  }
  return null;
}

/** Debian/Ubuntu keep PostgreSQL's server binaries in /usr/lib/postgresql/<major>/bin (newest first). */
function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'));
}

/** Paths of every binary a server kind needs, or null when one is missing. */
export interface ServerBinaries {
  postgres: { initdb: string; postgres: string; pgIsready: string } | null;
  mariadb: { installDb: string; mariadbd: string } | null;
  redis: { redisServer: string } | null;
  nats: { natsServer: string } | null;
}

/** Looks every server binary up (PATH, sbin folders, Debian's PostgreSQL folders). */
export function findServerBinaries(): ServerBinaries {
  // Debian's own versioned folder first: /usr/bin/initdb may be a wrapper that needs a cluster name.
  const pgDirs = postgresBinDirs();
  const initdb = pgDirs.map((d) => path.join(d, 'initdb')).find(executable) ?? findBinary(['initdb']);
  const beside = initdb ? path.join(path.dirname(initdb), 'postgres') : null;
  const postgres = beside && executable(beside) ? beside : findBinary(['postgres']);
  const isreadyBeside = initdb ? path.join(path.dirname(initdb), 'pg_isready') : null;
  const pgIsready = isreadyBeside && executable(isreadyBeside) ? isreadyBeside : findBinary(['pg_isready']);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  const mariadbd = findBinary(['mariadbd', 'mysqld']);
  const redisServer = findBinary(['redis-server']);
  const natsServer = findBinary(['nats-server']);
  return {
    postgres: initdb && postgres && pgIsready ? { initdb, postgres, pgIsready } : null,
    mariadb: installDb && mariadbd ? { installDb, mariadbd } : null,
    redis: redisServer ? { redisServer } : null,
    nats: natsServer ? { natsServer } : null,
  };
}

/** The kinds whose binaries are missing. */
export function missingKinds(bins: ServerBinaries, wanted: readonly ServerKind[]): ServerKind[] {
  return wanted.filter((k) => bins[k] === null);
}
