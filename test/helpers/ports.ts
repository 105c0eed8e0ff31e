import { createServer } from 'node:net';

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Returns the first of `count` consecutive ports on 127.0.0.1 that were free
 * a moment ago. They are drawn from 20000 to 32000, below Linux's default
 * range for outgoing connections (32768 and up), where the many client
 * sockets of a load test would rarely leave a long run free.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const first = 20_000 + Math.floor(Math.random() * (12_000 - count));
    const free = await Promise.all(
      Array.from({ length: count }, (_, i) => isFree(first + i)),
    );
    if (free.every(Boolean)) return first;
  }
  throw new Error(`No ${count} consecutive free ports found on 127.0.0.1.`);
}
