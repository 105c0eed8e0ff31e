import { createServer, type Server } from 'node:http';
import { freePort } from '../../helpers/ports.js';

/** An HTTP server on 127.0.0.1 that records request bodies. */
export interface Receiver {
  url: string;
  bodies: string[];
  paths: string[];
  stop(): Promise<void>;
}

/** Starts a receiver; `respond` returns the status and body for a path. */
export async function startReceiver(
  respond: (path: string) => { status: number; body: string } = () => ({
    status: 200,
    body: 'ok',
  }),
): Promise<Receiver> {
  const port = await freePort();
  const bodies: string[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += String(chunk)));
    req.on('end', () => {
      bodies.push(body);
      paths.push(req.url ?? '/');
      const reply = respond(req.url ?? '/');
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );
  return {
    url: `http://127.0.0.1:${port}/`,
    bodies,
    paths,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fake npm registry: packuments with `time` for `npm view NAME time`. */
export function npmRegistry(published: Record<string, Record<string, string>>) {
  return (path: string) => {
    const name = decodeURIComponent(path.slice(1).split('?')[0]);
    const times = published[name];
    if (!times)
      return { status: 404, body: JSON.stringify({ error: 'Not found' }) };
    const versions = Object.fromEntries(
      Object.keys(times).map((v) => [
        v,
        {
          name,
          version: v,
          dist: {
            tarball: `http://127.0.0.1/${name}-${v}.tgz`,
            shasum: '0'.repeat(40),
          },
        },
      ]),
    );
    const latest = Object.keys(times).at(-1) ?? '';
    return {
      status: 200,
      body: JSON.stringify({
        name,
        'dist-tags': { latest },
        versions,
        time: {
          created: times[Object.keys(times)[0]],
          modified: times[latest],
          ...times,
        },
      }),
    };
  };
}
