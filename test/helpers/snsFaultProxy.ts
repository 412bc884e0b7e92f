// A loopback proxy in front of the local SNS (fauxqs) that makes PublishBatch lose entries, as SNS
// does when it answers 200 with a per-entry `Failed` list
// (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html): the entries whose Ids are in
// `failEntryIds` are cut from the request before it reaches SNS and reported back as failed. The
// query protocol's members are renumbered, the answer's `<Failed>` list filled in. Everything else
// passes through untouched.
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SnsFaultProxy {
  /** The proxy's base URL, to use as the SNS client's `endpoint`. */
  readonly url: string;
  /** Entry Ids to fail in every PublishBatch while set. */
  failEntryIds: ReadonlySet<string> | undefined;
  /** Report the failures as the sender's fault (`InvalidParameter`) instead of `InternalError`. */
  senderFault: boolean;
  /** The entry Ids of every PublishBatch call, in order. */
  readonly calls: string[][];
  close(): Promise<void>;
}

const MEMBER = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/;

/**
 * Starts the proxy on 127.0.0.1 (port 0) in front of `upstream` (`local.endpoints.sns`).
 *
 * @example
 * const proxy = await startSnsFaultProxy(local.endpoints.sns);
 * proxy.failEntryIds = new Set(['e1']);
 */
export async function startSnsFaultProxy(upstream: string): Promise<SnsFaultProxy> {
  const base = new URL(upstream);
  const proxy: SnsFaultProxy = {
    url: '',
    failEntryIds: undefined,
    senderFault: false,
    calls: [],
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      let body = Buffer.concat(parts).toString('utf8');
      const failed: string[] = [];
      const form = new URLSearchParams(body);
      if (form.get('Action') === 'PublishBatch') {
        const members = new Map<number, [string, string][]>();
        const rest: [string, string][] = [];
        for (const [key, value] of form) {
          const match = MEMBER.exec(key);
          if (!match) rest.push([key, value]);
          else {
            const index = Number(match[1]);
            members.set(index, [...(members.get(index) ?? []), [match[2] ?? '', value]]);
          }
        }
        const ordered = [...members.entries()].sort(([a], [b]) => a - b).map(([, fields]) => fields);
        const idOf = (fields: [string, string][]) => fields.find(([name]) => name === 'Id')?.[1] ?? '';
        proxy.calls.push(ordered.map(idOf));
        const kept = ordered.filter((fields) => {
          const id = idOf(fields);
          if (!proxy.failEntryIds?.has(id)) return true;
          failed.push(id);
          return false;
        });
        const next = new URLSearchParams(rest);
        kept.forEach((fields, index) => {
          for (const [name, value] of fields)
            next.append(`PublishBatchRequestEntries.member.${index + 1}.${name}`, value);
        });
        body = next.toString();
        if (kept.length === 0) {
          // Nothing left to send: answer as SNS would, every entry failed.
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(
            withFailures(
              '<PublishBatchResponse><PublishBatchResult><Successful></Successful><Failed></Failed></PublishBatchResult></PublishBatchResponse>',
              failed,
              proxy.senderFault,
            ),
          );
          return;
        }
      }
      const out = forward(
        {
          host: base.hostname,
          port: base.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: base.host, 'content-length': String(Buffer.byteLength(body)) },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const headers = { ...answer.headers };
            delete headers['content-length'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(
              failed.length > 0 && answer.statusCode === 200
                ? withFailures(text, failed, proxy.senderFault)
                : text,
            );
          });
        },
      );
      out.on('error', () => req.socket.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The PublishBatch answer `xml` with `ids` in its `<Failed>` list. */
function withFailures(xml: string, ids: readonly string[], senderFault: boolean): string {
  const code = senderFault ? 'InvalidParameter' : 'InternalError';
  const members = ids
    .map(
      (id) =>
        `<member><Id>${id}</Id><Code>${code}</Code><Message>injected by snsFaultProxy</Message><SenderFault>${senderFault}</SenderFault></member>`,
    )
    .join('');
  if (/<Failed\s*\/>/.test(xml)) return xml.replace(/<Failed\s*\/>/, `<Failed>${members}</Failed>`);
  if (xml.includes('<Failed>')) return xml.replace('<Failed>', `<Failed>${members}`);
  return xml.replace('</PublishBatchResult>', `<Failed>${members}</Failed></PublishBatchResult>`);
}
