import type * as NodeHttp from 'node:http';
import type { Agent, IncomingHttpHeaders } from 'node:http';
import { type HttpRequest, type HttpResponse, type HttpTransport, HttpTransportError } from './HttpTransport';

export interface NodeHttpTransportOptions {
  /** Most sockets per host and protocol. Default 64: more than any bulk concurrency needs. */
  readonly maxSockets?: number;
}

/**
 * The default transport: `node:http` / `node:https` `request` with one keep-alive agent per
 * protocol, created once per transport, so connections (and TLS sessions) are reused across calls
 * and warm invocations. Node's own client rather than the global `fetch`, whose undici is
 * costly to load in a cold process (docs/performance.md). The timeout covers connecting, the headers and the
 * whole body; when it fires the request is destroyed and `send` rejects with
 * `HttpTransportError('timeout')`. Resets, refused connections and bodies cut short reject with
 * `HttpTransportError('transport')` naming the error code. Redirects are not followed (a 3xx
 * comes back as it is) and only `http:` and `https:` URLs are accepted.
 *
 * @example
 * const transport = nodeHttpTransport();
 * const answer = await transport.send({ method: 'GET', url, headers: {}, timeoutMs: 5000 });
 * answer.status; // 200
 */
export function nodeHttpTransport(options: NodeHttpTransportOptions = {}): HttpTransport {
  const maxSockets = options.maxSockets ?? 64;
  const clients: Partial<Record<Protocol, Promise<Client>>> = {};
  return {
    async send(request) {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch (error) {
        throw new HttpTransportError('transport', `Invalid URL: ${request.url}`, { cause: error });
      }
      const protocol = url.protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new HttpTransportError(
          'transport',
          `Unsupported protocol ${protocol} (only http: and https:).`,
        );
      }
      clients[protocol] ??= loadClient(protocol, maxSockets);
      return exchange(await clients[protocol], url, request);
    },
  };
}

type Protocol = 'http:' | 'https:';

interface Client {
  readonly request: typeof NodeHttp.request;
  readonly agent: Agent;
}

async function loadClient(protocol: Protocol, maxSockets: number): Promise<Client> {
  // process.getBuiltinModule (Node >= 20.16) hands over the CommonJS module. `import` of node:http
  // builds an ES module facade, which reads every export, including the getters that load undici
  // (docs/performance.md has the cost in a cold process): what this transport exists to avoid.
  // node:https has the same `request` and an `Agent` that extends node:http's.
  const module: Pick<typeof NodeHttp, 'request' | 'Agent'> =
    typeof process.getBuiltinModule === 'function'
      ? process.getBuiltinModule(protocol === 'https:' ? 'node:https' : 'node:http')
      : protocol === 'https:'
        ? await import('node:https')
        : await import('node:http');
  return { request: module.request, agent: new module.Agent({ keepAlive: true, maxSockets }) };
}

function exchange(client: Client, url: URL, request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const target = `${request.method} ${url.origin}${url.pathname}`;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const req = client.request(url, { method: request.method, headers, agent: client.agent });
    let settled = false;
    const fail = (kind: 'timeout' | 'transport', message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Destroying the request also frees the socket instead of returning a half-read one to the pool.
      req.destroy();
      reject(new HttpTransportError(kind, message, { cause }));
    };
    const timeoutMs = Math.max(1, Math.floor(request.timeoutMs));
    const timer = setTimeout(
      () => fail('timeout', `${target}: no complete answer after ${timeoutMs} ms.`),
      timeoutMs,
    );
    req.on('error', (error) => fail('transport', `${target}: ${describe(error)}`, error));
    req.on('response', (res) => {
      // Raw chunks, decoded once at the end: they live outside the JS heap, where a megabyte of
      // answer costs the young-generation GC nothing, and the text comes out as one flat string.
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A connection lost mid-body (fewer bytes than content-length) ends as an 'aborted' error.
      res.on('error', (error) =>
        fail('transport', `${target}: the answer was cut off (${describe(error)}).`, error),
      );
      res.on('close', () => {
        if (!res.complete)
          fail('transport', `${target}: the connection closed before the answer was complete.`);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const body =
          chunks.length === 1
            ? (chunks[0] as Buffer).toString('utf8')
            : Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body });
      });
    });
    req.end(request.body);
  });
}

// Node already lower-cases header names; only set-cookie arrives as a list.
function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} ${error.message}`
    : error.message;
}
