import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the local SQS (fauxqs) that can make SendMessageBatch lose entries:
 * while `failEntryIds` is set, those entries are removed from the request before it reaches the
 * queue and reported back as `Failed` (InternalError, not the sender's fault), the answer real SQS
 * gives for a partial failure. Everything else passes through untouched.
 */
export interface SqsFaultProxy {
  readonly url: string;
  failEntryIds: ReadonlySet<string> | undefined;
  /**
   * The first SendMessageBatch call (counting from 1, as `batchCalls`) whose entries
   * `failEntryIds` fails; earlier calls pass untouched. Unset: every call.
   */
  failFromCall?: number | undefined;
  /**
   * When true, SendMessage/SendMessageBatch lose their DelaySeconds (counted in `delaysRemoved`):
   * a follow-up attempt the service delays by 30 s or more is visible at once, so a test can run
   * every attempt of a chunk without waiting out the delays.
   */
  removeDelays: boolean;
  delaysRemoved: number;
  /** SendMessageBatch calls seen. */
  batchCalls: number;
  close(): Promise<void>;
}

export async function startSqsFaultProxy(upstream: string): Promise<SqsFaultProxy> {
  const proxy: SqsFaultProxy = {
    url: '',
    failEntryIds: undefined,
    removeDelays: false,
    delaysRemoved: 0,
    batchCalls: 0,
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    void forward(request).then(
      ({ status, headers, body }) => {
        response.writeHead(status, headers);
        response.end(body);
      },
      (error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
  });

  async function forward(request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    const target = String(request.headers['x-amz-target'] ?? '');
    const failing: { Id: string }[] = [];
    if (proxy.removeDelays && (target.endsWith('.SendMessage') || target.endsWith('.SendMessageBatch'))) {
      const input = JSON.parse(body.toString('utf8')) as {
        DelaySeconds?: number;
        Entries?: { DelaySeconds?: number }[];
      };
      for (const holder of [input, ...(input.Entries ?? [])]) {
        if (holder.DelaySeconds) proxy.delaysRemoved += 1;
        delete holder.DelaySeconds;
      }
      body = Buffer.from(JSON.stringify(input));
    }
    if (target.endsWith('.SendMessageBatch')) {
      proxy.batchCalls += 1;
      const ids = proxy.batchCalls >= (proxy.failFromCall ?? 0) ? proxy.failEntryIds : undefined;
      if (ids) {
        const input = JSON.parse(body.toString('utf8')) as { Entries: { Id: string }[] };
        failing.push(...input.Entries.filter((entry) => ids.has(entry.Id)));
        input.Entries = input.Entries.filter((entry) => !ids.has(entry.Id));
        body = Buffer.from(JSON.stringify(input));
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (name === 'host' || name === 'content-length' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const answer =
      failing.length > 0 && JSON.parse(body.toString('utf8')).Entries.length === 0
        ? { status: 200, text: JSON.stringify({ Successful: [] }), type: 'application/x-amz-json-1.0' }
        : await fetch(`${upstream}${request.url ?? '/'}`, {
            method: request.method ?? 'POST',
            headers,
            ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
          }).then(async (res) => ({
            status: res.status,
            text: await res.text(),
            type: res.headers.get('content-type') ?? 'application/x-amz-json-1.0',
          }));
    let text = answer.text;
    if (failing.length > 0 && answer.status === 200) {
      const output = JSON.parse(text) as { Failed?: unknown[] };
      output.Failed = [
        ...(output.Failed ?? []),
        ...failing.map((entry) => ({
          Id: entry.Id,
          Code: 'InternalError',
          SenderFault: false,
          Message: 'injected by sqsFaultProxy',
        })),
      ];
      text = JSON.stringify(output);
    }
    return { status: answer.status, headers: { 'content-type': answer.type }, body: text };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
