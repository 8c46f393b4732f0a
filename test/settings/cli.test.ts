import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'projen';
import { exampleSettings, runCli, startExampleFake, Workdir } from './helpers';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { StageProject } from '../../src/project';
import { FILES } from '../../src/topology/naming';
import { FakeGitHub } from '../support/fake-github';

/**
 * `stage-project github plan|apply` as a child process against the loopback API.
 * Every test also checks that the tool sent only schema-valid bodies and that the
 * fake answered with schema-valid responses.
 */

let fake: FakeGitHub;
let work: Workdir;

beforeEach(async () => {
  // Two items per page: every list the tool reads spans several pages.
  fake = await startExampleFake({ maxPerPage: 2 });
  work = new Workdir();
});

afterEach(async () => {
  expect(fake.invalidRequests).toEqual([]);
  expect(fake.invalidResponses).toEqual([]);
  await fake.stop();
  work.remove();
});

const repo = () => fake.state.repo('example-org', 'widgets');
const env = (name: string) => fake.state.environment('example-org', 'widgets', name);

describe('an empty repository', () => {
  test('plan exits 2, apply makes exactly the planned writes, plan then exits 0 and a second apply writes nothing', async () => {
    work.writeSettings(exampleSettings());

    const plan = await runCli(['github', 'plan', '--json'], { cwd: work.dir, fake });
    expect(plan.code).toBe(2);
    const planned = plan.json().changes;
    expect(planned).toHaveLength(22);
    expect(fake.writes()).toEqual([]);

    fake.resetCounts();
    const apply = await runCli(['github', 'apply'], { cwd: work.dir, fake });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/applied 22 changes; read back in sync/);
    expect(fake.writes().map(w => w.route)).toEqual(planned.map((c: any) => ({
      setTopics: 'PUT /repos/{owner}/{repo}/topics',
      putEnvironment: 'PUT /repos/{owner}/{repo}/environments/{environment_name}',
      createBranchPolicy: 'POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
      createVariable: 'POST /repos/{owner}/{repo}/environments/{environment_name}/variables',
    } as Record<string, string>)[c.write.op]));
    // Reviewers resolve through the teams endpoint once per plan; apply plans, writes, then plans again to check.
    expect(fake.count('GET /orgs/{org}/teams/{team_slug}')).toBe(2);

    const prod = env('deploy-prod');
    expect(prod.deployment_branch_policy).toEqual({ protected_branches: false, custom_branch_policies: true });
    expect(prod.policies.map(p => p.name)).toEqual(['main']);
    expect(prod.reviewers).toEqual([{ type: 'Team', id: fake.state.team('example-org', 'platform-team')!.id }]);
    expect(prod.variables.map(v => `${v.name}=${v.value}`)).toEqual([
      'AWS_ROLE_ARN=arn:aws:iam::333333333333:role/stage-project/widgets/widgets-deploy',
      'AWS_REGION=us-east-1',
      'AWS_ACCOUNT_ID=333333333333',
    ]);
    expect(env('build-tools').deployment_branch_policy).toBeNull();
    expect(repo().topics).toEqual(['stage-project']);

    const again = await runCli(['github', 'plan'], { cwd: work.dir, fake });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/in sync, no changes/);

    fake.resetCounts();
    const second = await runCli(['github', 'apply', '--json'], { cwd: work.dir, fake });
    expect(second.code).toBe(0);
    expect(second.json()).toMatchObject({ applied: [], planned: [], inSync: true });
    expect(fake.writes()).toEqual([]);
  });
});

test('drift made behind the tool\'s back is detected and repaired with one write each', async () => {
  work.writeSettings(exampleSettings());
  expect((await runCli(['github', 'apply'], { cwd: work.dir, fake })).code).toBe(0);

  const prod = env('deploy-prod');
  prod.reviewers = [];
  const dev = env('deploy-dev');
  const hack = { id: fake.state.id(), name: 'feature/hack', type: 'branch' as const };
  dev.policies.push(hack);
  env('e2e-dev').variables.find(v => v.name === 'AWS_REGION')!.value = 'eu-west-1';

  const plan = await runCli(['github', 'plan'], { cwd: work.dir, fake });
  expect(plan.code).toBe(2);
  expect(plan.stdout).toContain('~ environment deploy-prod: reviewers +example-org/platform-team');
  expect(plan.stdout).toContain('- environment deploy-dev branch policy: "feature/hack"');
  expect(plan.stdout).toContain('~ environment e2e-dev variable: AWS_REGION "eu-west-1" -> "us-east-1"');

  fake.resetCounts();
  const apply = await runCli(['github', 'apply'], { cwd: work.dir, fake });
  expect(apply.code).toBe(0);
  expect(fake.writes().map(w => `${w.method} ${w.path}`)).toEqual([
    'PATCH /repos/example-org/widgets/environments/e2e-dev/variables/AWS_REGION',
    `DELETE /repos/example-org/widgets/environments/deploy-dev/deployment-branch-policies/${hack.id}`,
    'PUT /repos/example-org/widgets/environments/deploy-prod',
  ]);
  expect(env('deploy-dev').policies.map(p => p.name)).toEqual(['develop', 'main']);
  expect(env('deploy-prod').reviewers).toHaveLength(1);
  expect((await runCli(['github', 'plan'], { cwd: work.dir, fake })).code).toBe(0);
});

test('an environment that exists in another case is updated in place, not duplicated', async () => {
  fake.state.createEnvironment(repo(), 'Deploy-Prod', { wait_timer: 30 });
  work.writeSettings(exampleSettings());
  const apply = await runCli(['github', 'apply'], { cwd: work.dir, fake });
  expect(apply.code).toBe(0);
  expect(apply.stdout).toContain('environment "deploy-prod" exists as "Deploy-Prod"');
  expect(repo().environments.map(e => e.name).sort()).toEqual(['Deploy-Prod', 'build-tools', 'deploy-dev', 'e2e-dev']);
  expect(env('deploy-prod').wait_timer).toBe(0);
  expect((await runCli(['github', 'plan'], { cwd: work.dir, fake })).code).toBe(0);
});

describe('OIDC template inherited from the organization', () => {
  test('an org-level immutable-subject setting the trust accepts reads as no diff', async () => {
    const org = fake.state.org('example-org')!;
    org.useImmutableSubject = true;
    const r = repo();
    work.writeSettings(exampleSettings({ owner: 'example-org', repository: 'widgets', ownerId: r.ownerId, repositoryId: r.id }));
    expect((await runCli(['github', 'apply'], { cwd: work.dir, fake })).code).toBe(0);
    expect(fake.count('PUT /repos/{owner}/{repo}/actions/oidc/customization/sub')).toBe(0);
    expect(r.oidc).toEqual({ use_default: true });
  });

  test('a repository opted into its org template reads without a false diff when the file opts in too', async () => {
    fake.state.org('example-org')!.oidcClaimKeys = ['repo', 'context', 'job_workflow_ref'];
    repo().oidc = { use_default: false };
    const settings = exampleSettings();
    work.writeSettings({ ...settings, oidc: { use_default: false, include_claim_keys: [], use_immutable_subject: false } });
    expect((await runCli(['github', 'apply'], { cwd: work.dir, fake })).code).toBe(0);
    expect((await runCli(['github', 'plan'], { cwd: work.dir, fake })).code).toBe(0);
    expect(fake.count('PUT /repos/{owner}/{repo}/actions/oidc/customization/sub')).toBe(0);
  });

  test('moving a repository off its org template is a subject change: plan warns, apply refuses without --allow-subject-change', async () => {
    fake.state.org('example-org')!.oidcClaimKeys = ['repo', 'context', 'job_workflow_ref'];
    repo().oidc = { use_default: false };
    work.writeSettings(exampleSettings());

    const plan = await runCli(['github', 'plan'], { cwd: work.dir, fake });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ oidc: claim keys repo,context,job_workflow_ref, name-based subjects -> default template, name-based subjects');
    expect(plan.stdout).toMatch(/warning: the OIDC subject format changes .* trust must accept the new format/);

    fake.resetCounts();
    const refused = await runCli(['github', 'apply'], { cwd: work.dir, fake });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/error: refusing to change the OIDC subject format .* without --allow-subject-change/);
    expect(refused.stdout).toContain('nothing was applied');
    expect(fake.writes()).toEqual([]);

    const allowed = await runCli(['github', 'apply', '--allow-subject-change'], { cwd: work.dir, fake });
    expect(allowed.code).toBe(0);
    expect(repo().oidc.use_default).toBe(true);
    expect(fake.writes()[0]).toMatchObject({ route: 'PUT /repos/{owner}/{repo}/actions/oidc/customization/sub', body: { use_default: true, use_immutable_subject: false } });
  });
});

test('unknown reviewers are all named, and nothing is written', async () => {
  const settings = exampleSettings();
  work.writeSettings({
    ...settings,
    environments: settings.environments.map(e => e.name === 'deploy-prod' ? { ...e, reviewers: ['ghost-user', 'example-org/nobody', 'octocat'] } : e),
  });
  const plan = await runCli(['github', 'plan'], { cwd: work.dir, fake });
  expect(plan.code).toBe(1);
  expect(plan.stderr).toContain('2 reviewers could not be resolved; nothing was changed');
  expect(plan.stderr).toContain('"example-org/nobody" (environments: deploy-prod): no team "nobody" in organization "example-org"');
  expect(plan.stderr).toContain('"ghost-user" (environments: deploy-prod): no GitHub user "ghost-user"');

  const apply = await runCli(['github', 'apply', '--json'], { cwd: work.dir, fake });
  expect(apply.code).toBe(1);
  expect(apply.json().error).toMatch(/ghost-user/);
  expect(fake.writes()).toEqual([]);
});

describe('configuration', () => {
  test('GH_TOKEN works when GITHUB_TOKEN is unset; --settings names the file', async () => {
    const file = work.writeSettings(exampleSettings(), 'elsewhere/settings.json');
    const result = await runCli(['github', 'plan', '--settings', file], { cwd: work.dir, fake, env: { GITHUB_TOKEN: '', GH_TOKEN: fake.token } });
    expect(result.code).toBe(2);
  });

  test('a wrong token, a missing token, a missing file and an unknown flag are errors with exit 1', async () => {
    work.writeSettings(exampleSettings());
    const bad = await runCli(['github', 'plan'], { cwd: work.dir, fake, env: { GITHUB_TOKEN: 'wrong' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Bad credentials/);
    const none = await runCli(['github', 'plan'], { cwd: work.dir, fake, env: { GITHUB_TOKEN: '' } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/set GITHUB_TOKEN \(or GH_TOKEN\)/);
    const missing = await runCli(['github', 'plan', '--settings', 'nope.json'], { cwd: work.dir, fake });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
    const flag = await runCli(['github', 'apply', '--force'], { cwd: work.dir, fake });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/Unknown option '--force'/);
  });
});

test('a synthesized StageProject drives plan and apply through its own settings file and tasks', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'stage-project-consumer-'));
  try {
    const project = new StageProject({
      name: 'widgets',
      defaultReleaseBranch: 'main',
      cdkVersion: '2.257.0',
      outdir,
      githubRepository: { owner: 'example-org', repository: 'widgets' },
      topology: EXAMPLE_TOPOLOGY,
    });
    const out = Testing.synth(project);
    expect(out['.projen/tasks.json'].tasks['github:plan'].steps).toEqual([{ exec: 'stage-project github plan', receiveArgs: true }]);
    expect(out['.projen/tasks.json'].tasks['github:apply'].steps).toEqual([{ exec: 'stage-project github apply', receiveArgs: true }]);

    // Testing.synth cleans its outdir up, so the generated file moves to the work dir as-is.
    work.writeSettings(out[FILES.settings], FILES.settings);

    expect((await runCli(['github', 'plan'], { cwd: work.dir, fake })).code).toBe(2);
    expect((await runCli(['github', 'apply'], { cwd: work.dir, fake })).code).toBe(0);
    expect((await runCli(['github', 'plan'], { cwd: work.dir, fake })).code).toBe(0);
    expect(repo().environments.map(e => e.name)).toEqual(['build-tools', 'e2e-dev', 'deploy-dev', 'deploy-prod']);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
