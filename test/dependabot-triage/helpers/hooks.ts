import { after, before, beforeEach } from 'node:test';
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/index.js';
import { addPullRoutes } from '../../fake-github/pulls.js';
import { addRepositoryRoutes } from '../../fake-github/repository.js';
import { FakeState } from '../../fake-github/state.js';

/**
 * Starts one fake GitHub for the test file and resets its state, routes
 * and records before each test. Returns a getter for the fake.
 */
export function useFakeGitHub(): () => FakeGitHub {
  let fake: FakeGitHub | undefined;
  before(async () => {
    fake = await startFakeGitHub();
  });
  after(async () => {
    await fake?.stop();
  });
  beforeEach(() => {
    if (!fake) return;
    Object.assign(fake.state, new FakeState());
    fake.violations.length = 0;
    fake.requests.length = 0;
    addPullRoutes(fake);
    addRepositoryRoutes(fake);
  });
  return () => {
    if (!fake) throw new Error('The fake GitHub has not started.');
    return fake;
  };
}
