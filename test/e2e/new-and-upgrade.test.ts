import { execFile } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { consumerEnv } from './consumer-env';
import { LocalRegistry } from './verdaccio';
import { run as runCommand } from '../../scripts/lib/exec';
import { ensureCompiled, packRepository, PROJEN_CLI, repack } from '../../scripts/lib/package';
import { FakeGitHub } from '../support/fake-github';

// The real path a consuming repository takes: `projen new --from` against a private
// registry, `npx projen`, then an upgrade to a newer published version.
jest.setTimeout(20 * 60_000);

let registry: LocalRegistry;
let work: string;
let npmrc: string;

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  return runCommand(cmd, args, cwd, consumerEnv(npmrc, extraEnv));
}

/** Like {@link run}, but asynchronous, so a server in this process can answer; resolves with the exit code and output. */
function runAsync(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise(resolve => {
    execFile(cmd, args, { cwd, env: consumerEnv(npmrc, extraEnv), encoding: 'utf-8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** The loopback GitHub API with the scaffold's owner, repository and every reviewer its settings name. */
async function startGitHub(consumer: string): Promise<FakeGitHub> {
  const desired = settings(consumer);
  const fake = await FakeGitHub.start();
  fake.state.addOrg(desired.repository.owner);
  fake.state.addRepo(desired.repository.owner, desired.repository.name);
  for (const reviewer of new Set<string>(desired.environments.flatMap((e: any) => e.reviewers))) {
    const [org, team] = reviewer.split('/');
    if (team === undefined) {
      fake.state.addUser(reviewer);
    } else {
      fake.state.addTeam(org, team);
    }
  }
  return fake;
}

function publish(tarball: string) {
  run('npm', ['publish', tarball, '--registry', registry.url], work);
}

function settings(dir: string) {
  return JSON.parse(readFileSync(join(dir, '.github/stage-settings.json'), 'utf-8'));
}

function topologyFile(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'src/stage/topology.generated.json'), 'utf-8'));
}

beforeAll(async () => {
  ensureCompiled();
  work = mkdtempSync(join(tmpdir(), 'stage-project-e2e-'));
  registry = await LocalRegistry.start();
  npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, registry.npmrc(true));
  const base = packRepository(join(work, 'base'));
  publish(repack(base, '1.0.0', join(work, 'dist')));
});

afterAll(async () => {
  await registry?.stop();
});

test('projen new --from the registry, synth, then upgrade to a newer version', async () => {
  const consumer = join(work, 'weebler');
  mkdirSync(consumer);
  writeFileSync(join(consumer, '.npmrc'), registry.npmrc());

  run('npx', ['--yes', PROJEN_CLI, 'new', '--from', '@org/stage-project', '--no-git'], consumer);
  const rc = readFileSync(join(consumer, '.projenrc.ts'), 'utf-8');
  expect(rc).toContain("import { StageProject } from '@org/stage-project';");
  expect(rc).toContain("prod: { id: '333333333333', production: true, branches: ['main'] }");
  expect(topologyFile(consumer).generatedBy).toBe('@org/stage-project@1.0.0');

  // The scaffold works as is: a second synthesis from the written .projenrc.ts succeeds.
  run('npx', ['projen'], consumer);
  const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/@org/stage-project/package.json'), 'utf-8'));
  expect(installed.version).toBe('1.0.0');
  expect(existsSync(join(consumer, '.projen/tasks.json'))).toBe(true);
  const tasks = JSON.parse(readFileSync(join(consumer, '.projen/tasks.json'), 'utf-8')).tasks;
  expect(Object.keys(tasks)).toEqual(expect.arrayContaining(['stage:unit', 'stage:build', 'stage:e2e', 'stage:deploy']));

  // npx projen runs .projenrc.ts without type checking; the build's pre-compile step type-checks it.
  expect(tasks.default.steps[0].execArgs).toContain('--transpileOnly');
  run('npx', ['projen', 'projenrc:typecheck'], consumer);
  writeFileSync(join(consumer, '.projenrc.ts'), `${rc}\nconst typo: number = project.name;\n`);
  expect(() => run('npx', ['projen', 'projenrc:typecheck'], consumer)).toThrow(/TS2322: Type 'string' is not assignable to type 'number'/);
  writeFileSync(join(consumer, '.projenrc.ts'), rc);

  // The CDK app synthesizes offline, with no AWS credentials: the registry stack and one stack per account.
  const noCredentials = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' };
  run('npx', ['cdk', 'synth', '-q'], consumer, noCredentials);
  for (const stack of ['stage-weebler-registry', 'stage-weebler-roles-tools', 'stage-weebler-roles-dev', 'stage-weebler-roles-prod']) {
    expect(existsSync(join(consumer, 'cdk.out', `${stack}.template.json`))).toBe(true);
  }
  const prod = JSON.parse(readFileSync(join(consumer, 'cdk.out', 'stage-weebler-roles-prod.template.json'), 'utf-8'));
  expect(JSON.stringify(prod)).toContain('repo:example-org/weebler:environment:deploy-prod');

  // The access matrix, proven by IAM simulation of what was just synthesized, and written for GitHub to render.
  const verify = run('npx', ['projen', 'stage:verify'], consumer, noCredentials);
  expect(verify).toMatch(/ECR push example\/app\s+✔\s+✘\s+✘\s+✘\n/);
  expect(verify).toMatch(/no findings/);
  const access = readFileSync(join(consumer, 'docs/ACCESS.md'), 'utf-8');
  expect(access).toContain('```mermaid');
  expect(access).toContain('deploy-prod');

  // The repository settings: the scaffold's tasks take an empty GitHub repository to the desired state.
  const fake = await startGitHub(consumer);
  try {
    const github = { GITHUB_API_URL: fake.url, GITHUB_TOKEN: fake.token, GH_TOKEN: '' };
    const before = await runAsync('npx', ['projen', 'github:plan'], consumer, github);
    // projen reports a failed task as exit 1; the CLI itself distinguishes changes (2) from errors (1).
    expect(before.code).toBe(1);
    expect(before.output).toMatch(/\+ .*deploy-prod/);
    expect((await runAsync('npx', ['stage-project', 'github', 'plan'], consumer, github)).code).toBe(2);
    expect(fake.writes()).toEqual([]);

    const apply = await runAsync('npx', ['projen', 'github:apply'], consumer, github);
    expect(apply).toEqual({ code: 0, output: expect.stringMatching(/read back in sync/) });
    const { owner, name } = settings(consumer).repository;
    const prodEnvironment = fake.state.environment(owner, name, 'deploy-prod');
    expect(prodEnvironment.reviewers.length).toBeGreaterThan(0);
    expect(prodEnvironment.policies.map(p => p.name)).toEqual(['main']);
    expect(fake.state.repo(owner, name).topics).toContain('stage-project');

    fake.resetCounts();
    const after = await runAsync('npx', ['projen', 'github:plan'], consumer, github);
    expect(after).toEqual({ code: 0, output: expect.stringMatching(/in sync/) });
    expect(fake.writes()).toEqual([]);
    expect(fake.invalidRequests).toEqual([]);
    expect(fake.invalidResponses).toEqual([]);
  } finally {
    await fake.stop();
  }

  // A new release: the platform team publishes, the consumer upgrades and regenerates.
  publish(repack(join(work, 'dist', 'org-stage-project-1.0.0.tgz'), '1.1.0', join(work, 'dist')));
  run('npx', ['projen', 'upgrade'], consumer, { npm_config_yes: 'true' });
  expect(topologyFile(consumer).generatedBy).toBe('@org/stage-project@1.1.0');
  expect(JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf-8')).devDependencies['@org/stage-project']).toBe('^1.1.0');
});

test('a stopped registry really fails: nothing is served from elsewhere', async () => {
  const probe = join(work, 'probe');
  mkdirSync(probe);
  writeFileSync(join(probe, '.npmrc'), registry.npmrc());
  await registry.stop();
  const emptyCache = mkdtempSync(join(tmpdir(), 'stage-project-empty-cache-'));
  expect(() => run('npm', ['view', '@org/stage-project', 'version', '--fetch-retries=0'], probe, { npm_config_cache: emptyCache }))
    .toThrow(/ECONNREFUSED|fetch failed|request to .* failed/);
});
