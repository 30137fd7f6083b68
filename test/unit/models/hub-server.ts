/**
 * A small Hub on 127.0.0.1 for tests: the endpoints @huggingface/hub and our downloader use
 * (model info with sha, recursive tree listing with lfs oids, resolve with Range), plus injectable faults.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  commit: string;
  files: Record<string, { content: Buffer; lfs: boolean }>;
}

export interface Faults {
  /** Files whose next N transfers stop after this many bytes (the socket is destroyed). */
  interruptAfter?: Record<string, { bytes: number; times: number }>;
  /** Files served with different bytes than listed. */
  corrupt?: Set<string>;
  /** Files whose transfer sends this many bytes, then goes silent with the connection open. */
  stallAfter?: Record<string, number>;
  /** A Link header sent with every tree (file listing) page. */
  treeLink?: (url: string) => string;
  /** The tree (file listing) request is accepted and never answered. */
  treeHangs?: boolean;
  /** File transfers answer with a redirect to this URL prefix (another origin, as huggingface.co's CDN). */
  redirectTransfersTo?: string;
  /** Extra files in every listing (names the real Hub would never send; the transfer is not served). */
  extraListed?: { path: string; content: Buffer }[];
}

export interface FakeHub {
  url: string;
  requests: { path: string; range?: string; authorization?: string }[];
  faults: Faults;
  close(): Promise<void>;
}

export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const requests: FakeHub['requests'] = [];
  const faults: Faults = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      path: url.pathname,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let match = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const repo = repos[match[1]!];
      if (!repo) return json(404, { error: 'Repository not found' });
      return json(200, {
        _id: 'x',
        id: match[1],
        sha: repo.commit,
        private: false,
        downloads: 0,
        likes: 0,
        gated: false,
      });
    }
    match = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const repo = repos[match[1]!];
      if (!repo || match[2] !== repo.commit) return json(404, { error: 'Revision not found' });
      if (faults.treeHangs) return; // never answered; the connection stays open
      if (faults.treeLink) res.setHeader('link', faults.treeLink(`http://${req.headers.host}${req.url}`));
      const listed: [string, { content: Buffer; lfs: boolean }][] = [
        ...Object.entries(repo.files),
        ...(faults.extraListed ?? []).map((extra): [string, { content: Buffer; lfs: boolean }] => [
          extra.path,
          { content: extra.content, lfs: false },
        ]),
      ];
      return json(
        200,
        listed.map(([path, file]) => ({
          type: 'file',
          path,
          size: file.lfs ? 134 : file.content.length,
          oid: gitBlobSha1(file.content),
          ...(file.lfs
            ? {
                lfs: {
                  oid: createHash('sha256').update(file.content).digest('hex'),
                  size: file.content.length,
                  pointerSize: 134,
                },
              }
            : {}),
        })),
      );
    }
    match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (match) {
      const repo = repos[match[1]!];
      const name = decodeURIComponent(match[3]!);
      if (faults.redirectTransfersTo) {
        res.writeHead(302, { location: `${faults.redirectTransfersTo}/cdn/${match[3]!}` });
        return res.end();
      }
      const file = repo?.files[name];
      if (!repo || !file) return json(404, { error: 'Entry not found' });
      let content = file.content;
      if (faults.corrupt?.has(name)) content = Buffer.from(content.map((byte) => byte ^ 0xff));
      let start = 0;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range) {
        start = Number(range[1]);
        if (start >= content.length) {
          res.writeHead(416);
          return res.end();
        }
        res.writeHead(206, {
          'content-length': content.length - start,
          'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
        });
      } else res.writeHead(200, { 'content-length': content.length });
      const stall = faults.stallAfter?.[name];
      if (stall !== undefined) {
        res.write(content.subarray(start, start + stall));
        return; // silent from here on, connection open
      }
      const interrupt = faults.interruptAfter?.[name];
      if (interrupt && interrupt.times > 0) {
        interrupt.times--;
        res.write(content.subarray(start, start + interrupt.bytes), () => setTimeout(() => res.destroy(), 20));
        return;
      }
      return res.end(content.subarray(start));
    }
    json(404, { error: `no route ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
