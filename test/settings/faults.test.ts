import { exampleSettings, runCli, startExampleFake, Workdir } from './helpers';
import { FakeGitHub, primaryRateLimit, secondaryRateLimit } from '../support/fake-github';

/**
 * Faults injected by the loopback API during `github apply`. After each, apply either
 * completes or exits 1 naming what was and was not applied, and a re-run converges.
 */

const TOTAL = 22;
const ENV_PUT = 'PUT /repos/{owner}/{repo}/environments/{environment_name}';
const POLICY_POST = 'POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies';
const VARIABLE_POST = 'POST /repos/{owner}/{repo}/environments/{environment_name}/variables';

let fake: FakeGitHub;
let work: Workdir;

beforeEach(async () => {
  fake = await startExampleFake();
  work = new Workdir();
  work.writeSettings(exampleSettings());
});

afterEach(async () => {
  expect(fake.invalidRequests).toEqual([]);
  expect(fake.invalidResponses).toEqual([]);
  await fake.stop();
  work.remove();
});

const apply = (env?: NodeJS.ProcessEnv) => runCli(['github', 'apply', '--json'], { cwd: work.dir, fake, env });
const faulted = (route: string) => fake.requests.filter(r => r.route === route && r.fault !== undefined);

/** A re-run makes exactly the writes still missing, then reads back in sync. */
async function expectConvergesWith(remaining: number) {
  fake.resetCounts();
  const rerun = await apply();
  expect(rerun.code).toBe(0);
  expect(rerun.json()).toMatchObject({ inSync: true, failed: null });
  expect(rerun.json().applied).toHaveLength(remaining);
  expect(fake.writes().filter(w => w.status >= 200 && w.status < 300)).toHaveLength(remaining);
}

test('a burst of 502/500 on reads and writes is retried and apply completes', async () => {
  fake.inject({ match: 'GET /repos/{owner}/{repo}/environments', times: 2, action: { kind: 'status', status: 502 } });
  fake.inject({ match: VARIABLE_POST, skip: 4, times: 2, action: { kind: 'status', status: 502 } });
  fake.inject({ match: VARIABLE_POST, skip: 4, times: 1, action: { kind: 'status', status: 500 } });
  const result = await apply();
  expect(result.code).toBe(0);
  expect(result.json()).toMatchObject({ inSync: true, failed: null });
  expect(result.json().applied).toHaveLength(TOTAL);
  expect(faulted(VARIABLE_POST).map(r => r.status)).toEqual([502, 502, 500]);
  expect(fake.pendingFaults()).toEqual([]);
  // Each variable was created once: the failed attempts changed nothing.
  expect(fake.count(VARIABLE_POST)).toBe(12 + 3);
});

test('5xx beyond the retry budget: exit 1 naming applied and unapplied changes; a re-run converges', async () => {
  // 3 attempts in the first run (2 retries), 1 in the second (no retries), none after.
  fake.inject({ match: ENV_PUT, skip: 1, times: 4, action: { kind: 'status', status: 502 } });
  const result = await apply({ STAGE_PROJECT_RETRIES: '2' });
  expect(result.code).toBe(1);
  const out = result.json();
  // topics, build-tools and its three variables landed; e2e-dev did not, nor anything after it.
  expect(out.applied.map((c: any) => c.target)).toEqual(['topics', 'environment build-tools', ...Array(3).fill('environment build-tools variable')]);
  expect(out.failed).toMatchObject({ target: 'environment e2e-dev', error: expect.stringMatching(/^PUT \/repos\/example-org\/widgets\/environments\/e2e-dev: 502/) });
  expect(out.notAttempted).toHaveLength(TOTAL - 6);
  expect(out.inSync).toBe(false);
  expect(faulted(ENV_PUT)).toHaveLength(3);
  expect(fake.state.repo('example-org', 'widgets').environments.map(e => e.name)).toEqual(['build-tools']);

  const human = await runCli(['github', 'apply'], { cwd: work.dir, fake, env: { STAGE_PROJECT_RETRIES: '0' } });
  expect(human.code).toBe(1);
  expect(human.stdout).toMatch(/error: apply stopped; 0 of 17 changes applied\. Run apply again to converge\./);
  expect(human.stdout).toMatch(/not applied \(17\):\n {2}! \+ environment e2e-dev: .*\(failed: PUT .*502/);
  expect(human.stdout).not.toMatch(/in sync/);
  expect(fake.pendingFaults()).toEqual([]);

  await expectConvergesWith(TOTAL - 5);
});

test('a primary rate limit (403, x-ratelimit-remaining 0) waits for the reset and completes', async () => {
  fake.inject({ match: ENV_PUT, skip: 2, times: 1, action: primaryRateLimit(1) });
  fake.inject({ match: 'GET /orgs/{org}/teams/{team_slug}', times: 1, action: primaryRateLimit(1) });
  const result = await apply();
  expect(result.code).toBe(0);
  expect(result.json().applied).toHaveLength(TOTAL);
  expect(result.stderr).toMatch(/primary rate limit on PUT \/repos\/example-org\/widgets\/environments\/deploy-dev; retrying in \d+s/);
  expect(result.stderr).toMatch(/primary rate limit on GET \/orgs\/example-org\/teams\/platform-team; retrying/);
  expect(faulted(ENV_PUT)).toHaveLength(1);
  expect(fake.count(ENV_PUT)).toBe(4 + 1);
});

test('a rate limit that resets later than the longest wait fails the run without claiming the rest', async () => {
  fake.inject({ match: VARIABLE_POST, times: 1, action: primaryRateLimit(3600) });
  const result = await apply({ STAGE_PROJECT_MAX_RATE_LIMIT_WAIT_SECONDS: '60' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/primary rate limit on POST .*variables; giving up \(would wait \d+s\)/);
  expect(result.json().failed).toMatchObject({ target: 'environment build-tools variable', error: expect.stringMatching(/403 API rate limit exceeded/) });
  expect(result.json().applied).toHaveLength(2);
  await expectConvergesWith(TOTAL - 2);
});

test('a secondary rate limit (retry-after) is waited out and apply completes', async () => {
  fake.inject({ match: POLICY_POST, skip: 1, times: 2, action: secondaryRateLimit(1) });
  const result = await apply();
  expect(result.code).toBe(0);
  expect(result.json().applied).toHaveLength(TOTAL);
  expect(result.stderr).toMatch(/secondary rate limit on POST .*deployment-branch-policies; retrying in 1s/);
  expect(faulted(POLICY_POST)).toHaveLength(2);
  expect(fake.state.environment('example-org', 'widgets', 'e2e-dev').policies.map(p => p.name)).toEqual(['develop', 'main']);
});

test('a 422 in the middle of apply stops it there, is not retried, and a re-run converges', async () => {
  fake.inject({
    match: POLICY_POST,
    skip: 2,
    times: 1,
    action: { kind: 'status', status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'DeploymentBranchPolicy', code: 'custom', message: 'injected' }] } },
  });
  const result = await apply();
  expect(result.code).toBe(1);
  const out = result.json();
  expect(out.failed).toMatchObject({ target: 'environment deploy-dev branch policy', detail: '"develop"', error: expect.stringMatching(/422 Validation Failed/) });
  // topics; build-tools + 3 variables; e2e-dev + 2 policies + 3 variables; deploy-dev.
  expect(out.applied).toHaveLength(12);
  expect(out.notAttempted).toHaveLength(TOTAL - 13);
  expect(fake.count(POLICY_POST)).toBe(3);
  expect(fake.writes().filter(w => w.status >= 200 && w.status < 300)).toHaveLength(12);
  await expectConvergesWith(TOTAL - 12);
});

test('a connection dropped before the server acted is retried and apply completes', async () => {
  fake.inject({ match: ENV_PUT, skip: 3, times: 1, action: { kind: 'drop', when: 'before' } });
  const result = await apply();
  expect(result.code).toBe(0);
  expect(result.json().applied).toHaveLength(TOTAL);
  expect(faulted(ENV_PUT).map(r => r.fault)).toEqual(['drop-before']);
  expect(fake.state.environment('example-org', 'widgets', 'deploy-prod').reviewers).toHaveLength(1);
});

test('a connection dropped after the server acted: the retry conflicts, apply exits 1, a re-run converges without repeating it', async () => {
  fake.inject({ match: VARIABLE_POST, skip: 5, times: 1, action: { kind: 'drop', when: 'after' } });
  const result = await apply();
  expect(result.code).toBe(1);
  const out = result.json();
  // The variable exists, but the answer was lost, so the tool cannot claim it.
  expect(out.failed).toMatchObject({ target: 'environment e2e-dev variable', detail: expect.stringMatching(/^AWS_ACCOUNT_ID/), error: expect.stringMatching(/409 Already exists/) });
  expect(out.applied.map((c: any) => c.detail)).not.toContainEqual(expect.stringMatching(/^AWS_ACCOUNT_ID = "222222222222"/));
  expect(fake.state.environment('example-org', 'widgets', 'e2e-dev').variables.map(v => v.name)).toContain('AWS_ACCOUNT_ID');
  await expectConvergesWith(TOTAL - out.applied.length - 1);
});
