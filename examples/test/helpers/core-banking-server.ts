/**
 * A stand-in for the core-banking API the settlement job talks to: a real `node:http` server on
 * 127.0.0.1 that demands a Bearer token and an `Idempotency-Key` on every request, serves the
 * settled orders of a business date and records settlement confirmations.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One settled order as the API returns it. */
export interface Order {
  order_id: string;
  customer_name: string;
  branch: string;
  amount: number;
  currency: string;
}

/** One request the server accepted. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  idempotencyKey: string;
  body: unknown;
}

export interface CoreBankingServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the server; `ordersFor(date)` gives the orders of a business date (`yyyy-MM-dd`). */
export async function startCoreBankingServer(token: string, ordersFor: (businessDate: string) => Order[]): Promise<CoreBankingServer> {
  const requests: SeenRequest[] = [];
  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://core-banking.test');
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'unauthorized' });
      const idempotencyKey = req.headers['idempotency-key'];
      if (typeof idempotencyKey !== 'string' || idempotencyKey === '') return send(res, 400, { error: 'Idempotency-Key header is required' });
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      if (raw !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          return send(res, 400, { error: 'body is not JSON' });
        }
      }
      requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), idempotencyKey, body });

      if (req.method === 'GET' && url.pathname === '/v1/orders') {
        const date = url.searchParams.get('business_date') ?? '';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return send(res, 400, { error: 'business_date must be yyyy-MM-dd' });
        const orders = ordersFor(date).filter((o) => o.currency === (url.searchParams.get('currency') ?? o.currency));
        return send(res, 200, { business_date: date, status: url.searchParams.get('status'), count: orders.length, orders });
      }
      const confirm = /^\/v1\/settlements\/(\d{4}-\d{2}-\d{2})\/confirmations$/.exec(url.pathname);
      if (req.method === 'POST' && confirm) {
        return send(res, 201, { confirmation_id: `XN-${confirm[1]!.replaceAll('-', '')}-${requests.length}`, received: body });
      }
      return send(res, 404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
