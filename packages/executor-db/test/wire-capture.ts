import net from 'node:net';

/** What the client sent, split by protocol message. */
export interface CapturedWire {
  /** SQL texts: PostgreSQL Query ('Q') and Parse ('P'); MySQL COM_QUERY and COM_STMT_PREPARE. */
  sqlTexts: string[];
  /** Parameter payloads: PostgreSQL Bind ('B'); MySQL COM_STMT_EXECUTE. */
  bindPayloads: Buffer[];
}

/**
 * A TCP proxy in front of a real server that decodes the client → server byte stream of the
 * PostgreSQL v3 protocol or the MySQL client/server protocol and records every SQL text and every
 * parameter payload. It sees exactly what the driver put on the wire, so "the SQL text contains no
 * value" is checked on the bytes, not on what a library claims to send.
 */
export async function startWireCapture(protocol: 'postgresql' | 'mysql', upstreamHost: string, upstreamPort: number): Promise<CapturedWire & { port: number; close(): Promise<void> }> {
  const captured: CapturedWire = { sqlTexts: [], bindPayloads: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, upstreamHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.pipe(client);
    const parse = protocol === 'postgresql' ? pgParser(captured) : mysqlParser(captured);
    client.on('data', (chunk: Buffer) => {
      parse(chunk);
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    get sqlTexts() {
      return captured.sqlTexts;
    },
    get bindPayloads() {
      return captured.bindPayloads;
    },
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function pgParser(out: CapturedWire): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!started) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        if (code === 196608) started = true; // StartupMessage v3 (SSLRequest/GSSENCRequest are skipped)
        continue;
      }
      if (buf.length < 5) return;
      const type = String.fromCharCode(buf[0]!);
      const len = buf.readInt32BE(1);
      if (buf.length < 1 + len) return;
      const body = buf.subarray(5, 1 + len);
      if (type === 'Q') out.sqlTexts.push(body.toString('utf8').replace(/\0$/, ''));
      if (type === 'P') {
        const nameEnd = body.indexOf(0);
        const textEnd = body.indexOf(0, nameEnd + 1);
        out.sqlTexts.push(body.subarray(nameEnd + 1, textEnd).toString('utf8'));
      }
      if (type === 'B') out.bindPayloads.push(Buffer.from(body));
      buf = buf.subarray(1 + len);
    }
  };
}

function mysqlParser(out: CapturedWire): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 4) return;
      const len = buf.readUIntLE(0, 3);
      if (buf.length < 4 + len) return;
      const seq = buf[3]!;
      const payload = buf.subarray(4, 4 + len);
      // Every command starts a new sequence at 0; handshake and auth packets never do.
      if (seq === 0 && payload.length > 0) {
        const cmd = payload[0]!;
        if (cmd === 0x03 || cmd === 0x16) out.sqlTexts.push(payload.subarray(1).toString('utf8'));
        if (cmd === 0x17) out.bindPayloads.push(Buffer.from(payload.subarray(1)));
      }
      buf = buf.subarray(4 + len);
    }
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
