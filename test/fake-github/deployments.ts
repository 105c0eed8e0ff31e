// REST routes for Deployments and their statuses. Add them with
// `addDeploymentRoutes(fake)`; `fakeDeployments(fake.state)` returns what
// the action created, newest last.
import { openApi } from './openapi.js';
import type { FakeGitHub } from './server.js';
import type { FakeState } from './state.js';

const repo = '/repos/{owner}/{repo}';

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  environmentUrl: string;
  logUrl: string;
}

export interface FakeDeployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  description: string;
  payload: unknown;
  productionEnvironment: boolean;
  statuses: FakeDeploymentStatus[];
}

const deploymentsByState = new WeakMap<FakeState, FakeDeployment[]>();

/** Deployments of a fake's state, in the order they were created. */
export function fakeDeployments(state: FakeState): FakeDeployment[] {
  let deployments = deploymentsByState.get(state);
  if (!deployments) {
    deployments = [];
    deploymentsByState.set(state, deployments);
  }
  return deployments;
}

type Json = Record<string, unknown>;

function example(name: string): Json {
  const components = openApi().document.components as Json;
  return structuredClone(
    ((components.examples as Json)[name] as Json).value,
  ) as Json;
}

function deploymentObject(state: FakeState, deployment: FakeDeployment): Json {
  const url = `https://api.github.com/repos/${state.fullName}/deployments/${deployment.id}`;
  return {
    ...example('deployment'),
    url,
    id: deployment.id,
    sha: deployment.sha,
    ref: deployment.ref,
    environment: deployment.environment,
    original_environment: deployment.environment,
    description: deployment.description,
    payload: deployment.payload,
    production_environment: deployment.productionEnvironment,
    statuses_url: `${url}/statuses`,
    repository_url: `https://api.github.com/repos/${state.fullName}`,
  };
}

function statusObject(
  state: FakeState,
  deployment: FakeDeployment,
  status: FakeDeploymentStatus,
): Json {
  const deploymentUrl = `https://api.github.com/repos/${state.fullName}/deployments/${deployment.id}`;
  return {
    ...example('deployment-status'),
    url: `${deploymentUrl}/statuses/${status.id}`,
    id: status.id,
    state: status.state,
    description: status.description,
    environment: deployment.environment,
    target_url: status.logUrl,
    log_url: status.logUrl,
    environment_url: status.environmentUrl,
    deployment_url: deploymentUrl,
    repository_url: `https://api.github.com/repos/${state.fullName}`,
  };
}

const notFound = {
  status: 404,
  body: { message: 'Not Found', documentation_url: '' },
};

export function addDeploymentRoutes(fake: FakeGitHub): void {
  fake
    .route('post', `${repo}/deployments`, ({ state, body }) => {
      const deployment: FakeDeployment = {
        id: state.id(),
        ref: String(body.ref),
        sha: /^[0-9a-f]{40}$/.test(String(body.ref))
          ? String(body.ref)
          : 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d',
        environment: String(body.environment ?? 'production'),
        description: String(body.description ?? ''),
        payload: body.payload ?? {},
        productionEnvironment: Boolean(body.production_environment),
        statuses: [],
      };
      fakeDeployments(state).push(deployment);
      return { status: 201, body: deploymentObject(state, deployment) };
    })
    .route('get', `${repo}/deployments`, ({ state, query }) => {
      const environment = query.get('environment');
      const list = fakeDeployments(state)
        .filter((d) => environment === null || d.environment === environment)
        .reverse()
        .slice(0, Number(query.get('per_page') ?? 30));
      return { status: 200, body: list.map((d) => deploymentObject(state, d)) };
    })
    .route(
      'post',
      `${repo}/deployments/{deployment_id}/statuses`,
      ({ state, params, body }) => {
        const deployment = fakeDeployments(state).find(
          (d) => d.id === Number(params.deployment_id),
        );
        if (!deployment) return notFound;
        const status: FakeDeploymentStatus = {
          id: state.id(),
          state: String(body.state),
          description: String(body.description ?? ''),
          environmentUrl: String(body.environment_url ?? ''),
          logUrl: String(body.log_url ?? ''),
        };
        deployment.statuses.push(status);
        // GitHub marks older deployments of the environment inactive when
        // a status is success, unless auto_inactive is false.
        if (status.state === 'success' && body.auto_inactive !== false) {
          for (const other of fakeDeployments(state)) {
            if (
              other !== deployment &&
              other.environment === deployment.environment
            ) {
              const last = other.statuses.at(-1);
              if (last?.state === 'success') {
                other.statuses.push({
                  ...last,
                  id: state.id(),
                  state: 'inactive',
                });
              }
            }
          }
        }
        return { status: 201, body: statusObject(state, deployment, status) };
      },
    )
    .route(
      'get',
      `${repo}/deployments/{deployment_id}/statuses`,
      ({ state, params }) => {
        const deployment = fakeDeployments(state).find(
          (d) => d.id === Number(params.deployment_id),
        );
        if (!deployment) return notFound;
        return {
          status: 200,
          body: [...deployment.statuses]
            .reverse()
            .map((s) => statusObject(state, deployment, s)),
        };
      },
    );
}
