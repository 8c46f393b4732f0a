import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'projen';
import { buildContract, diffContracts } from '../../src/contract/contract';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { StageProject, StageProjectOptions } from '../../src/project';
import { FILES } from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';
import { TopologyOptions } from '../../src/topology/options';
import { packageIdentity } from '../../src/version';

const REPO = { owner: 'widgetfactory', repository: 'weebler' };

function contractOf(topology: TopologyOptions, repo = REPO, version = '1.0.0') {
  return buildContract(resolveTopology(repo, topology), '@org/stage-project', version);
}

function variant(change: (t: any) => void): TopologyOptions {
  const copy = JSON.parse(JSON.stringify(EXAMPLE_TOPOLOGY));
  change(copy);
  return copy;
}

describe('diffContracts', () => {
  const base = contractOf(EXAMPLE_TOPOLOGY);

  test('the contract lists roles, environments, stack ids and subjects', () => {
    expect(base.stackIds).toEqual(['stage-weebler-registry', 'stage-weebler-roles-tools', 'stage-weebler-roles-dev', 'stage-weebler-roles-prod']);
    expect(base.environments).toEqual(['build-tools', 'e2e-dev', 'deploy-dev', 'deploy-prod']);
    expect(base.roles[3]).toEqual({
      stage: 'deploy',
      account: 'prod',
      name: 'weebler-deploy',
      path: '/stage-project/weebler/',
      arn: 'arn:aws:iam::333333333333:role/stage-project/weebler/weebler-deploy',
      environment: 'deploy-prod',
      subjects: ['repo:widgetfactory/weebler:environment:deploy-prod'],
    });
  });

  test('an identical contract has no changes', () => {
    expect(diffContracts(base, contractOf(EXAMPLE_TOPOLOGY))).toEqual({ breaking: [], additions: [] });
  });

  test('adding an account and a stage is additive', () => {
    const next = contractOf(variant(t => {
      t.accounts.staging = { id: '444444444444', branches: ['main'] };
      t.stages.deploy.accounts.push('staging');
      t.stages.smoke = { accounts: ['staging'] };
      t.pipeline = undefined;
    }));
    const diff = diffContracts(base, next);
    expect(diff.breaking).toEqual([]);
    expect(diff.additions.map(c => c.what)).toEqual([
      'role of stage "deploy" in account "staging"',
      'role of stage "smoke" in account "staging"',
      'stack "stage-weebler-roles-staging"',
    ]);
  });

  test('renaming the repository renames every role and stack', () => {
    const diff = diffContracts(base, contractOf(EXAMPLE_TOPOLOGY, { owner: 'widgetfactory', repository: 'wobbler' }));
    expect(diff.breaking.filter(c => c.kind === 'renamed').map(c => c.what)).toEqual([
      'role of stage "build" in account "tools"',
      'role of stage "e2e" in account "dev"',
      'role of stage "deploy" in account "dev"',
      'role of stage "deploy" in account "prod"',
    ]);
    expect(diff.breaking.filter(c => c.kind === 'removed').map(c => c.what)).toContain('stack "stage-weebler-registry"');
    expect(diff.breaking.some(c => c.kind === 'changed' && c.what.startsWith('accepted subjects'))).toBe(true);
  });

  test('removing an account from a stage removes its role', () => {
    const diff = diffContracts(base, contractOf(variant(t => {
      t.stages.e2e.accounts = ['tools'];
      t.pipeline = undefined;
    })));
    expect(diff.breaking.map(c => `${c.kind} ${c.what}`)).toEqual(['removed role of stage "e2e" in account "dev"']);
    expect(diff.breaking[0].impact).toMatch(/CDK deletes the live role arn:aws:iam::222222222222:role\/stage-project\/weebler\/weebler-e2e/);
  });
});

describe('the upgrade guard in StageProject', () => {
  const { version } = packageIdentity();

  function projectIn(outdir: string, overrides: Partial<StageProjectOptions> = {}) {
    return new StageProject({
      name: 'weebler',
      defaultReleaseBranch: 'main',
      cdkVersion: '2.257.0',
      outdir,
      githubRepository: REPO,
      topology: EXAMPLE_TOPOLOGY,
      ...overrides,
    });
  }

  function withPreviousContract(contract: object): string {
    const outdir = mkdtempSync(join(tmpdir(), 'stage-contract-'));
    mkdirSync(join(outdir, '.github'));
    writeFileSync(join(outdir, FILES.contract), JSON.stringify(contract));
    return outdir;
  }

  test('writes the contract with the package version', () => {
    const out = Testing.synth(projectIn(mkdtempSync(join(tmpdir(), 'stage-contract-'))));
    expect(out[FILES.contract].version).toBe(version);
    expect(out[FILES.contract].generatedBy).toBe(`@org/stage-project@${version}`);
  });

  test('an upgrade that renames roles fails with the difference, naming the version to accept', () => {
    const old = contractOf(EXAMPLE_TOPOLOGY, { owner: 'widgetfactory', repository: 'weebler-old' }, '0.0.0-previous');
    const outdir = withPreviousContract(old);
    expect(() => projectIn(outdir)).toThrow(new RegExp([
      `upgrading @org/stage-project 0\\.0\\.0-previous -> ${version.replace(/\./g, '\\.')} changes names that live infrastructure depends on; nothing was written:`,
      '  renamed role of stage "build" in account "tools": arn:aws:iam::111111111111:role/stage-project/weebler-old/weebler-old-build -> arn:aws:iam::111111111111:role/stage-project/weebler/weebler-build',
      '      breaks: CDK replaces the live role',
    ].join('\n').replace(/[()]/g, '\\$&')));
    expect(JSON.parse(readFileSync(join(outdir, FILES.contract), 'utf-8')).version).toBe('0.0.0-previous');
  });

  test('accepting the version lifts the guard', () => {
    const old = contractOf(EXAMPLE_TOPOLOGY, { owner: 'widgetfactory', repository: 'weebler-old' }, '0.0.0-previous');
    const out = Testing.synth(projectIn(withPreviousContract(old), { acceptContractChanges: [version] }));
    expect(out[FILES.contract].roles[0].name).toBe('weebler-build');
  });

  test('an upgrade that only adds passes silently', () => {
    const old = contractOf(variant(t => { t.stages.e2e.accounts = []; t.stages.e2e.images = 'none'; t.pipeline = undefined; }), REPO, '0.0.0-previous');
    expect(() => projectIn(withPreviousContract(old))).not.toThrow();
  });

  test('the same version may change its own topology (the user edited .projenrc.ts)', () => {
    const old = contractOf(EXAMPLE_TOPOLOGY, { owner: 'widgetfactory', repository: 'weebler-old' }, version);
    expect(() => projectIn(withPreviousContract(old))).not.toThrow();
  });
});
