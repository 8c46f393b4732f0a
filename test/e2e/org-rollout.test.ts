import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { consumerEnv } from './consumer-env';
import { LocalRegistry } from './verdaccio';
import { CommandError, run as runCommand } from '../../scripts/lib/exec';
import { ensureCompiled, packRepository, PROJEN_CLI, repack } from '../../scripts/lib/package';
import { OrgDefaults } from '../../src/org/options';

// An org rollout through a real registry: the platform team publishes its build of the
// package with org defaults, two repositories scaffold from it, an additive release
// reaches both without editing their .projenrc.ts, and a release that changes an
// account id is stopped by the contract guard until a repository accepts it.
jest.setTimeout(25 * 60_000);


const V1: OrgDefaults = {
  accounts: {
    tools: { id: '111111111111' },
    dev: { id: '222222222222', branches: ['develop', 'main'] },
    prod: { id: '333333333333', production: true, branches: ['main'] },
  },
  registry: { account: 'tools' },
  organizationId: 'o-abcdefghij',
  stages: {
    unit: {},
    build: { accounts: ['tools'], images: 'push' },
    e2e: { accounts: ['dev'], images: 'pull' },
    deploy: { accounts: ['dev', 'prod'], images: 'pull' },
  },
  productionReviewers: ['org/platform'],
};
const V2: OrgDefaults = {
  ...V1,
  accounts: { ...V1.accounts, staging: { id: '444444444444', branches: ['main'] } },
  stages: { ...V1.stages, deploy: { accounts: ['dev', 'staging', 'prod'], images: 'pull' } },
};
const V3: OrgDefaults = { ...V2, accounts: { ...V2.accounts, dev: { id: '555555555555', branches: ['develop', 'main'] } } };

let registry: LocalRegistry;
let work: string;
let npmrc: string;
let base: string;

function run(cmd: string, args: string[], cwd: string): string {
  return runCommand(cmd, args, cwd, consumerEnv(npmrc));
}

/**
 * The platform team's release: this build with `src/org/defaults.ts` set. The module
 * compiles to a single export, so setting it in the packed build is what rebuilding
 * with an edited defaults.ts produces.
 */
function publishOrg(version: string, defaults: OrgDefaults) {
  const tarball = repack(base, version, join(work, 'dist'), dir => {
    const file = join(dir, 'lib/org/defaults.js');
    const compiled = readFileSync(file, 'utf-8');
    const edited = compiled.replace(/exports\.ORG_DEFAULTS = undefined;/, `exports.ORG_DEFAULTS = ${JSON.stringify(defaults)};`);
    if (edited === compiled) {
      throw new Error(`lib/org/defaults.js no longer compiles to a single export:\n${compiled}`);
    }
    writeFileSync(file, edited);
  });
  run('npm', ['publish', tarball, '--registry', registry.url], work);
}

function scaffold(name: string, edit: (rc: string) => string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, '.npmrc'), registry.npmrc());
  run('npx', ['--yes', PROJEN_CLI, 'new', '--from', '@org/stage-project', '--no-git'], dir);
  writeFileSync(join(dir, '.projenrc.ts'), edit(readFileSync(join(dir, '.projenrc.ts'), 'utf-8')));
  run('npx', ['projen'], dir);
  return dir;
}

function upgrade(dir: string) {
  run('npm', ['update', '@org/stage-project'], dir);
  return run('npx', ['projen'], dir);
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf-8');
const json = (dir: string, file: string) => JSON.parse(read(dir, file));

beforeAll(async () => {
  ensureCompiled();
  work = mkdtempSync(join(tmpdir(), 'stage-project-org-'));
  registry = await LocalRegistry.start();
  npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, registry.npmrc(true));
  base = packRepository(join(work, 'base'));
});

afterAll(async () => {
  await registry?.stop();
});

test('org defaults travel in the package: scaffold, additive rollout, guarded breaking rollout', () => {
  publishOrg('1.0.0', V1);

  // Two repositories with their own image repositories and pipelines.
  const api = scaffold('api', rc => rc);
  const web = scaffold('web', rc => rc.replace(/topology: \{ repositories: \['web\/app'\] \},/, [
    'topology: {',
    "    repositories: ['web/frontend'],",
    "    pipeline: [{ stage: 'unit' }, { stage: 'build' }, { stage: 'deploy' }],",
    '  },',
  ].join('\n')));
  const apiRc = read(api, '.projenrc.ts');
  expect(apiRc).toContain("topology: { repositories: ['api/app'] },");
  expect(apiRc).not.toContain('111111111111');
  expect(json(web, 'src/stage/topology.generated.json').jobs.map((j: any) => j.id)).toEqual(['unit', 'build', 'deploy-dev', 'deploy-prod']);
  for (const dir of [api, web]) {
    expect(json(dir, '.github/stage-contract.json').version).toBe('1.0.0');
    expect(json(dir, 'src/stage/topology.generated.json').roles.some((r: any) => r.account === 'staging')).toBe(false);
  }

  // v2 adds an account to the defaults and to the deploy stage: both repositories gain it unedited.
  publishOrg('1.1.0', V2);
  const rcBefore = [read(api, '.projenrc.ts'), read(web, '.projenrc.ts')];
  for (const dir of [api, web]) {
    upgrade(dir);
    const topology = json(dir, 'src/stage/topology.generated.json');
    const repo = topology.github.repository;
    expect(topology.generatedBy).toBe('@org/stage-project@1.1.0');
    expect(topology.accounts.find((a: any) => a.name === 'staging').stackId).toBe(`stage-${repo}-roles-staging`);
    expect(topology.roles.find((r: any) => r.account === 'staging').roleArn).toBe(`arn:aws:iam::444444444444:role/stage-project/${repo}/${repo}-deploy`);
    expect(read(dir, '.github/workflows/stages.yml')).toContain('deploy-staging');
    expect(json(dir, '.github/stage-settings.json').environments.map((e: any) => e.name)).toContain('deploy-staging');
    expect(json(dir, '.github/stage-contract.json').version).toBe('1.1.0');
  }
  expect([read(api, '.projenrc.ts'), read(web, '.projenrc.ts')]).toEqual(rcBefore);

  // v3 changes an existing account's id: the guard stops it and names the difference.
  publishOrg('1.2.0', V3);
  let failure = '';
  try {
    upgrade(api);
  } catch (e) {
    if (!(e instanceof CommandError)) {
      throw e;
    }
    failure = e.output;
  }
  expect(failure).toContain('upgrading @org/stage-project 1.1.0 -> 1.2.0 changes names that live infrastructure depends on; nothing was written:');
  expect(failure).toContain('renamed role of stage "deploy" in account "dev": arn:aws:iam::222222222222:role/stage-project/api/api-deploy -> arn:aws:iam::555555555555:role/stage-project/api/api-deploy');
  expect(failure).toContain("acceptContractChanges: ['1.2.0'],");
  expect(json(api, '.github/stage-contract.json').version).toBe('1.1.0');

  // Accepting the version in .projenrc.ts lifts the guard.
  writeFileSync(join(api, '.projenrc.ts'), read(api, '.projenrc.ts').replace('  projenrcTs: true,', "  projenrcTs: true,\n  acceptContractChanges: ['1.2.0'],"));
  run('npx', ['projen'], api);
  expect(json(api, '.github/stage-contract.json').version).toBe('1.2.0');
  expect(json(api, 'src/stage/topology.generated.json').accounts.find((a: any) => a.name === 'dev').id).toBe('555555555555');
});
