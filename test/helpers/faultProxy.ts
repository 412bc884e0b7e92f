// A loopback HTTP proxy for fault injection: put it between a real SDK client and a local server
// (dynalite, fauxqs) and it forwards every request unchanged, except those a test's predicate
// picks, which it fails the way the test asks: a 500 answer (in the JSON shape of DynamoDB and the
// other JSON APIs, or the XML shape of SNS's query protocol), a connection dropped before the
// request reaches the server (the server never sees it), or dropped after the request was
// forwarded (the server did the work, the client never hears of it).
import { createServer, request as forward, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy sees it: `target` is the X-Amz-Target header (DynamoDB, JSON APIs). */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * `500`: answer an error without forwarding; `drop-before`: cut the connection without forwarding;
 * `drop-after`: forward, then cut the connection.
 */
export type Fault = '500' | 'drop-before' | 'drop-after';

export interface FaultProxy {
  /** The proxy's base URL, to use as the SDK client's `endpoint`. */
  readonly url: string;
  /** Requests that were failed so far. */
  readonly injected: ProxiedRequest[];
  /** Replaces the rule: `fault(request)` answers the fault to inject, or `undefined` to forward. */
  setRule(fault: (request: ProxiedRequest) => Fault | undefined): void;
  close(): Promise<void>;
}

/**
 * Starts a fault proxy on 127.0.0.1 (port 0) in front of `upstream` (e.g. `local.endpoints.dynamodb`).
 *
 * @example
 * const proxy = await startFaultProxy(local.endpoints.dynamodb);
 * proxy.setRule((r) => (r.target.endsWith('.UpdateItem') && r.body.includes('lastNotifiedAt') ? '500' : undefined));
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const base = new URL(upstream);
  let rule: (request: ProxiedRequest) => Fault | undefined = () => undefined;
  const injected: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const seen: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        target: String(req.headers['x-amz-target'] ?? ''),
        headers: req.headers,
        body: body.toString('utf8'),
      };
      const fault = rule(seen);
      if (fault) injected.push(seen);
      if (fault === 'drop-before') {
        req.socket.destroy();
        return;
      }
      if (fault === '500' && String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
        // The query protocol (SNS): an ErrorResponse document, as AWS sends for InternalError.
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code>' +
            '<Message>injected</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>',
        );
        return;
      }
      if (fault === '500') {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'injected',
          }),
        );
        return;
      }
      const out = forward(
        {
          host: base.hostname,
          port: base.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: base.host },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            if (fault === 'drop-after') {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          });
        },
      );
      out.on('error', () => req.socket.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    setRule(next) {
      rule = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
