// The JSON Schema of the policy file. actions/dependabot-triage/
// policy.schema.json is the published copy, kept equal by a test.

const stringOrList = (item: object) => ({
  oneOf: [item, { type: 'array', items: item, minItems: 1 }],
});

const UPDATE_TYPES = ['major', 'minor', 'patch', 'unknown'];
const DEPENDENCY_TYPES = [
  'direct:production',
  'direct:development',
  'indirect',
];

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/resilience-actions/resilience-actions/actions/dependabot-triage/policy.schema.json',
  title: 'dependabot-triage policy',
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    version: { const: 1, description: 'Policy format version.' },
    rules: {
      type: 'array',
      minItems: 1,
      description: 'Rules in order; the first that matches a dependency wins.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: {
          name: { type: 'string', description: 'Shown in the job summary.' },
          match: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ecosystem: stringOrList({ type: 'string', minLength: 1 }),
              'dependency-name': stringOrList({ type: 'string', minLength: 1 }),
              'dependency-type': stringOrList({ enum: DEPENDENCY_TYPES }),
              'update-type': stringOrList({ enum: UPDATE_TYPES }),
              security: { type: 'boolean' },
              'min-severity': { enum: ['low', 'medium', 'high', 'critical'] },
              directory: stringOrList({ type: 'string', pattern: '^/' }),
              group: stringOrList({ type: 'string', minLength: 1 }),
              'min-release-age': {
                type: 'string',
                pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$',
              },
              prerelease: { type: 'boolean' },
            },
          },
          action: { enum: ['merge', 'approve', 'comment', 'ignore'] },
          'merge-method': { enum: ['merge', 'squash', 'rebase'] },
          labels: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;
