// nodeHttpTransport against a real HTTP server on 127.0.0.1 (a free port, started and closed by
// each test): answers, timeouts, broken connections and keep-alive.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpTransport } from '../../../lib/knox';
import { type HttpRequest, HttpTransportError } from '../../../lib/knox/HttpTransport';

interface TestServer {
  url: string;
  /** Requests seen, with the client port each came from. */
  seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; port: number }[];
  connections: number;
}

let server: Server | undefined;
const timers = new Set<NodeJS.Timeout>();
afterEach(async () => {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  const closing = server;
  server = undefined;
  if (!closing) return;
  closing.closeAllConnections();
  await new Promise<void>((resolve) => closing.close(() => resolve()));
});

/** Waits `ms` on the server side; cleared when the test ends. */
const later = (ms: number, then: () => void) => {
  const timer = setTimeout(() => {
    timers.delete(timer);
    then();
  }, ms);
  timers.add(timer);
};

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const state: TestServer = { url: '', seen: [], connections: 0 };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        port: req.socket.remotePort ?? 0,
      });
      handler(req, res);
    });
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

const get = (url: string, timeoutMs = 5000): HttpRequest => ({ method: 'GET', url, headers: {}, timeoutMs });

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<HttpTransportError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.error).toBeInstanceOf(HttpTransportError);
  return outcome.error as HttpTransportError;
}

describe('nodeHttpTransport', () => {
  it('sends method, headers and body, and answers status, lower-case headers and body', async () => {
    // Prepare
    const knox = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Trace-Id': 'abc' });
      res.end('{"result":"SUCCESS","text":"Grüße ✓"}');
    });
    const transport = nodeHttpTransport();

    // Act
    const answer = await transport.send({
      method: 'POST',
      url: `${knox.url}/kcs/v1.1/kg/devices/lock?x=1`,
      headers: { 'content-type': 'application/json', 'x-knox-apitoken': 'token' },
      body: '{"deviceUid":"é"}',
      timeoutMs: 5000,
    });

    // Assess
    expect(answer).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'application/json', 'x-trace-id': 'abc' }),
      body: '{"result":"SUCCESS","text":"Grüße ✓"}',
    });
    expect(knox.seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/kcs/v1.1/kg/devices/lock?x=1',
        body: '{"deviceUid":"é"}',
        headers: expect.objectContaining({ 'x-knox-apitoken': 'token', 'content-length': '18' }),
      }),
    ]);
  });

  it('reads a large body with multi-byte characters split across chunks', async () => {
    const text = JSON.stringify({ list: Array.from({ length: 20_000 }, (_, i) => `Gerät-€-${i}`) });
    const knox = await serve((_req, res) => res.end(text));

    const answer = await nodeHttpTransport().send(get(knox.url));

    expect(answer.body).toBe(text);
  });

  it('passes non-2xx answers through, and does not follow redirects', async () => {
    const knox = await serve((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
        return;
      }
      res.writeHead(503, { 'retry-after': '2' });
      res.end('<html>busy</html>');
    });
    const transport = nodeHttpTransport();

    const busy = await transport.send(get(`${knox.url}/busy`));
    const moved = await transport.send(get(`${knox.url}/moved`));

    expect(busy).toMatchObject({ status: 503, headers: { 'retry-after': '2' }, body: '<html>busy</html>' });
    expect(moved).toMatchObject({ status: 302, headers: { location: '/elsewhere' } });
    expect(knox.seen.map((request) => request.url)).toEqual(['/busy', '/moved']);
  });

  it('times out while waiting for the headers (the answer would come later)', async () => {
    const knox = await serve((_req, res) => later(2000, () => res.end('too late')));

    const error = await rejection(nodeHttpTransport().send(get(knox.url, 100)));

    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('100 ms');
  });

  it('times out during a slow body (headers and part of it arrived)', async () => {
    const knox = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '20' });
      res.write('{"result":');
      later(2000, () => res.end('"SUCCESS"}'));
    });

    const error = await rejection(nodeHttpTransport().send(get(knox.url, 150)));

    expect(error.kind).toBe('timeout');
  });

  it('reports a refused connection as a transport error naming the code', async () => {
    const knox = await serve(() => undefined);
    const url = knox.url;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;

    const error = await rejection(nodeHttpTransport().send(get(url)));

    expect(error.kind).toBe('transport');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a connection destroyed mid-body as a transport error', async () => {
    const knox = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"result":"SUCC');
      later(20, () => req.socket.destroy());
    });

    const error = await rejection(nodeHttpTransport().send(get(knox.url)));

    expect(error.kind).toBe('transport');
    expect(error.message).toMatch(/cut off|closed before the answer was complete/);
  });

  it('reports a connection reset before any answer as a transport error', async () => {
    const knox = await serve((req) => req.socket.destroy());

    const error = await rejection(nodeHttpTransport().send(get(knox.url)));

    expect(error.kind).toBe('transport');
    expect(error.message).toMatch(/ECONNRESET|socket hang up/);
  });

  it('keeps the connection alive: two sequential requests share one socket', async () => {
    const knox = await serve((_req, res) => res.end('{}'));
    const transport = nodeHttpTransport();

    await transport.send(get(`${knox.url}/one`));
    await transport.send(get(`${knox.url}/two`));

    expect(knox.connections).toBe(1);
    expect(knox.seen.map((request) => request.port)).toEqual([knox.seen[0]?.port, knox.seen[0]?.port]);
  });

  it('opens further connections for concurrent requests, each transport with its own agent', async () => {
    const knox = await serve((_req, res) => later(20, () => res.end('{}')));
    const transport = nodeHttpTransport();

    await Promise.all([1, 2, 3].map(() => transport.send(get(knox.url))));
    await nodeHttpTransport().send(get(knox.url));

    expect(knox.connections).toBe(4);
  });

  it.each([
    ['ftp://127.0.0.1/file', 'Unsupported protocol ftp:'],
    ['not a url', 'Invalid URL'],
  ])('refuses %s without sending anything', async (url, message) => {
    const error = await rejection(nodeHttpTransport().send(get(url)));

    expect(error.kind).toBe('transport');
    expect(error.message).toContain(message);
  });
});
