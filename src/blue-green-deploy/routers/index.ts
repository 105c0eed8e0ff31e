import type Docker from 'dockerode';
import type { Logger } from '../../shared/logger.js';
import { containerHost, localHost } from './balancer-host.js';
import type { RouterSettings } from '../inputs.js';
import { createCaddyRouter } from './caddy.js';
import { HaproxyRouter } from './haproxy.js';
import { NginxRouter } from './nginx.js';
import type { Router } from './router.js';
import { createTraefikRouter } from './traefik.js';

/** Builds the driver for the `router` input. */
export function createRouter(
  settings: RouterSettings,
  logger: Logger,
  docker: Docker,
): Router {
  switch (settings.kind) {
    case 'haproxy':
      return new HaproxyRouter(settings, logger);
    case 'nginx':
      return new NginxRouter(
        settings,
        logger,
        settings.container
          ? containerHost(docker, settings.container)
          : localHost,
      );
    case 'caddy':
      return createCaddyRouter(settings, logger);
    case 'traefik':
      return createTraefikRouter(settings, logger);
  }
}
