import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { freePort } from './ports.js';

const exec = promisify(execFile);

/** Caddy's data and config directories, kept inside the test's own folder. */
function caddyEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_DATA_HOME: dir,
    XDG_CONFIG_HOME: dir,
    HOME: dir,
  };
}

/**
 * The nginx server block of the tests: it proxies to the service's upstream
 * and reports the upstream address that answered, for the driver's check.
 */
function proxyServer(service: string, port: number): string {
  return `  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${service};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502;
      add_header X-Upstream-Addr $upstream_addr always;
    }
  }
`;
}

/** An upstream block that no color claims, until a deploy writes its own. */
function placeholderUpstream(service: string): string {
  return `upstream ${service} {\n    server 127.0.0.1:9 down;\n}\n`;
}

export interface Balancer {
  /** URL of the balancer's frontend, on 127.0.0.1. */
  url: string;
  /** Inputs that point blue-green-deploy at this balancer. */
  inputs: Record<string, string>;
  stop(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        signal: AbortSignal.timeout(500),
      });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(
    `Nothing answered on 127.0.0.1:${port} within ${timeoutMs} ms.`,
  );
}

/**
 * Starts Debian's HAProxy in the foreground on 127.0.0.1 with a runtime API
 * socket, a backend named after the service and one server per color, both
 * in maintenance until the action enables one.
 */
export async function startHaproxy(
  service: string,
  colorPorts: [number, number],
): Promise<Balancer> {
  const dir = await mkdtemp(join(tmpdir(), 'haproxy-'));
  const port = await freePort();
  const socket = join(dir, 'admin.sock');
  const config = `global
  stats socket ${socket} mode 600 level admin
  pidfile ${dir}/haproxy.pid
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  retries 3
  option redispatch
frontend web
  bind 127.0.0.1:${port}
  default_backend ${service}
backend ${service}
  balance roundrobin
  retry-on conn-failure empty-response
  server blue 127.0.0.1:${colorPorts[0]} weight 100 disabled
  server blue-2 127.0.0.1:${colorPorts[0] + 1} weight 100 disabled
  server blue-3 127.0.0.1:${colorPorts[0] + 2} weight 100 disabled
  server green 127.0.0.1:${colorPorts[1]} weight 100 disabled
  server green-2 127.0.0.1:${colorPorts[1] + 1} weight 100 disabled
  server green-3 127.0.0.1:${colorPorts[1] + 2} weight 100 disabled
`;
  await writeFile(join(dir, 'haproxy.cfg'), config);
  const child: ChildProcess = spawn(
    'haproxy',
    ['-db', '-f', join(dir, 'haproxy.cfg')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  await waitForPort(port).catch((error) => {
    child.kill('SIGKILL');
    throw new Error(`HAProxy did not start: ${stderr}`, { cause: error });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: {
      router: 'haproxy',
      'haproxy-socket': socket,
      'haproxy-backend': service,
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts Debian's nginx on 127.0.0.1 with its own pid file, logs and temp
 * paths, proxying to an upstream file that blue-green-deploy owns. Until a
 * deploy writes it, the file holds a placeholder that no color claims.
 */
export async function startNginx(service: string): Promise<Balancer> {
  const dir = await mkdtemp(join(tmpdir(), 'nginx-'));
  const port = await freePort();
  const upstreamFile = join(dir, 'upstream.conf');
  const configFile = join(dir, 'nginx.conf');
  await writeFile(upstreamFile, placeholderUpstream(service));
  await writeFile(
    configFile,
    `pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${upstreamFile};
${proxyServer(service, port)}}
`,
  );
  await exec('nginx', ['-c', configFile, '-e', join(dir, 'error.log')]);
  await waitForPort(port);
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: {
      router: 'nginx',
      'nginx-config': configFile,
      'nginx-upstream-file': upstreamFile,
      'nginx-upstream': service,
      'nginx-verify-url': `http://127.0.0.1:${port}/`,
    },
    async stop() {
      await exec('nginx', [
        '-c',
        configFile,
        '-e',
        join(dir, 'error.log'),
        '-s',
        'quit',
      ]).catch(() => undefined);
      const pid = Number(
        await readFile(join(dir, 'nginx.pid'), 'utf8').catch(() => '0'),
      );
      for (let i = 0; i < 50 && pid > 0; i += 1) {
        try {
          process.kill(pid, 0);
          await new Promise((resolve) => setTimeout(resolve, 100));
        } catch {
          break;
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts Debian's Caddy on 127.0.0.1 with its admin API on another local
 * port and one reverse_proxy handler tagged `blue-green-<service>`, whose
 * single upstream is tagged as blue and points at the blue port.
 */
export async function startCaddy(
  service: string,
  colorPorts: [number, number],
): Promise<Balancer> {
  const dir = await mkdtemp(join(tmpdir(), 'caddy-'));
  const port = await freePort();
  const adminPort = await freePort();
  const handlerId = `blue-green-${service}`;
  const config = {
    admin: { listen: `127.0.0.1:${adminPort}` },
    storage: { module: 'file_system', root: join(dir, 'data') },
    apps: {
      http: {
        servers: {
          web: {
            listen: [`127.0.0.1:${port}`],
            routes: [
              {
                handle: [
                  {
                    '@id': handlerId,
                    handler: 'reverse_proxy',
                    upstreams: [
                      {
                        '@id': `${handlerId}.blue.0`,
                        dial: `127.0.0.1:${colorPorts[0]}`,
                      },
                    ],
                    load_balancing: {
                      selection_policy: { policy: 'round_robin' },
                    },
                  },
                ],
              },
            ],
          },
        },
      },
    },
  };
  const configFile = join(dir, 'caddy.json');
  await writeFile(configFile, JSON.stringify(config));
  const child = spawn('caddy', ['run', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: caddyEnv(dir),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${adminPort}/config/`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`Caddy did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: {
      router: 'caddy',
      'caddy-admin-url': `http://127.0.0.1:${adminPort}`,
      'caddy-handler-id': handlerId,
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts nginx as a container on the Docker host (host networking, so it
 * listens on 127.0.0.1), with its configuration in a bind-mounted folder.
 * blue-green-deploy then drives it through the Docker API alone.
 */
export async function startNginxContainer(service: string): Promise<Balancer> {
  await exec('bash', [
    fileURLToPath(new URL('../fixtures/nginx-image/build.sh', import.meta.url)),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'nginx-container-'));
  const port = await freePort();
  const name = `${service}-balancer`;
  await writeFile(join(dir, 'upstream.conf'), placeholderUpstream(service));
  await writeFile(
    join(dir, 'nginx.conf'),
    `pid /run/nginx.pid;
error_log stderr warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  include /conf/upstream.conf;
${proxyServer(service, port)}}
`,
  );
  const docker = new Docker();
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => undefined);
  const container = await docker.createContainer({
    name,
    Image: 'resilience-nginx:test',
    Labels: { 'io.resilience-actions.test': 'balancer' },
    HostConfig: { NetworkMode: 'host', Binds: [`${dir}:/conf`] },
  });
  await container.start();
  await waitForPort(port);
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: {
      router: 'nginx',
      'router-container': name,
      'nginx-config': '/conf/nginx.conf',
      'nginx-upstream-file': '/conf/upstream.conf',
      'nginx-upstream': service,
      'nginx-verify-url': `http://127.0.0.1:${port}/`,
    },
    async stop() {
      await container.remove({ force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
