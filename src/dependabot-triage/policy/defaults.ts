import type { Policy } from './types.js';

/**
 * Rules used when the repository has no policy file: security fixes and
 * patch updates merge, minor updates of development dependencies merge,
 * pre-releases, majors and unknowns wait for a person.
 */
export const DEFAULT_POLICY: Policy = {
  source: 'built-in defaults',
  rules: [
    {
      name: 'security fixes merge',
      match: { security: true, updateType: ['major', 'minor', 'patch'] },
      action: 'merge',
      labels: [],
    },
    {
      name: 'pre-releases wait for a person',
      match: { prerelease: true },
      action: 'comment',
      labels: [],
    },
    {
      name: 'patch updates merge',
      match: { updateType: ['patch'] },
      action: 'merge',
      labels: [],
    },
    {
      name: 'minor development updates merge',
      match: { updateType: ['minor'], dependencyType: ['direct:development'] },
      action: 'merge',
      labels: [],
    },
    {
      name: 'everything else waits for a person',
      match: {},
      action: 'comment',
      labels: [],
    },
  ],
};
