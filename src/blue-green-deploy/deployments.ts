import { createGitHubClient, type GitHubClient } from '../shared/github.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** Repository, environment and credentials for GitHub Deployments. */
export interface DeploymentSettings {
  token: string;
  /** Environment name; empty turns Deployments off. */
  environment: string;
  environmentUrl?: string;
  apiUrl: string;
  graphqlUrl: string;
  owner: string;
  repo: string;
  /** Commit or ref the deployment is for (GITHUB_SHA). */
  ref: string;
  /** Link to the workflow run, shown as the status's log. */
  logUrl?: string;
}

type State = 'in_progress' | 'success' | 'failure' | 'inactive';

/**
 * Reports a deploy to GitHub Deployments: one deployment per deploy or
 * rollback, a status at each phase, and `inactive` for the deployment it
 * replaced. Deployments inform people; an API failure is a warning and
 * never changes what the deploy does.
 */
export class Deployments {
  private readonly client?: GitHubClient;

  constructor(
    private readonly settings: DeploymentSettings | undefined,
    private readonly logger: Logger,
  ) {
    if (settings?.environment) {
      this.client = createGitHubClient({
        token: settings.token,
        apiUrl: settings.apiUrl,
        graphqlUrl: settings.graphqlUrl,
        logger,
      });
    }
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Creates a deployment and marks it in progress; returns its id. */
  async start(image: string, description: string): Promise<number | undefined> {
    const { client, settings } = this;
    if (!client || !settings) return undefined;
    return this.attempt('create a deployment', async () => {
      const response = await client.rest.repos.createDeployment({
        owner: settings.owner,
        repo: settings.repo,
        ref: settings.ref,
        environment: settings.environment,
        description: description.slice(0, 140),
        auto_merge: false,
        required_contexts: [],
        payload: { image },
        production_environment: /^prod/i.test(settings.environment),
      });
      if (response.status !== 201 || !('id' in response.data)) {
        throw new Error(
          `GitHub returned ${response.status} without a deployment`,
        );
      }
      const id = response.data.id;
      await this.status(id, 'in_progress', description);
      return id;
    });
  }

  async status(
    id: number | undefined,
    state: State,
    description: string,
  ): Promise<void> {
    const { client, settings } = this;
    if (!client || !settings || id === undefined) return;
    await this.attempt(`post the ${state} status`, async () => {
      await client.rest.repos.createDeploymentStatus({
        owner: settings.owner,
        repo: settings.repo,
        deployment_id: id,
        state,
        description: description.slice(0, 140),
        environment: settings.environment,
        environment_url: settings.environmentUrl,
        log_url: settings.logUrl,
        // The replaced deployment is marked inactive explicitly.
        auto_inactive: false,
      });
    });
  }

  /** Marks `id` successful and the deployment it replaced inactive. */
  async succeed(
    id: number | undefined,
    replaced: number | undefined,
    description: string,
  ) {
    await this.status(id, 'success', description);
    if (replaced !== undefined && replaced !== id) {
      await this.status(replaced, 'inactive', `Replaced by deployment ${id}`);
    }
  }

  private async attempt<T>(
    what: string,
    fn: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.logger.warning(
        `Could not ${what} in GitHub Deployments for ${this.settings?.environment}: ${errorMessage(error)}. The deploy goes on.`,
      );
      return undefined;
    }
  }
}
