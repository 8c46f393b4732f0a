import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'projen';
import { attributeProblems, mergeOrgDefaults } from '../../src/org/merge';
import { OrgDefaults } from '../../src/org/options';
import { StageProject } from '../../src/project';
import { renderProjenrc } from '../../src/projenrc-sample';
import { FILES } from '../../src/topology/naming';
import { normaliseTopology, TopologyProblem } from '../../src/topology/normalise';
import { TopologyOptions } from '../../src/topology/options';

const ORG_NAME = '@acme/stage-project';
const REPO = { owner: 'acme', repository: 'weebler' };

const ORG: OrgDefaults = {
  accounts: {
    tools: { id: '111111111111' },
    dev: { id: '222222222222', branches: ['develop', 'main'] },
    prod: { id: '333333333333', production: true, branches: ['main'] },
  },
  registry: { account: 'tools' },
  organizationId: 'o-abcdefghij',
  defaultRegion: 'eu-west-1',
  boundaryStatements: [{ sid: 'OrgDenyRegions', effect: 'Deny', notActions: ['iam:*'], resources: ['*'], conditions: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } } }],
  stages: {
    unit: {},
    build: { accounts: ['tools'], images: 'push' },
    e2e: { accounts: ['dev'], images: 'pull' },
    deploy: { accounts: ['dev', 'prod'], images: 'pull', policyStatements: [{ sid: 'CdkDeploy', actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::*:role/cdk-hnb659fds-*'] }], approval: { reviewers: ['acme/releasers'], waitTimerMinutes: 5 } },
  },
  productionReviewers: ['acme/platform'],
};

function merge(repo: TopologyOptions | undefined, org: OrgDefaults = ORG) {
  const merged = mergeOrgDefaults(org, repo, ORG_NAME);
  const result = normaliseTopology(REPO, merged.topology);
  const problems: TopologyProblem[] = attributeProblems([...merged.problems, ...result.problems], merged.sources, ORG_NAME);
  return { merged, topology: result.topology, problems: problems.map(p => `${p.path}: ${p.message}`) };
}

test('a repository that only names its image repositories gets the whole org topology', () => {
  const { topology, problems } = merge({ repositories: ['weebler/api'] });
  expect(problems).toEqual([]);
  expect(topology!.accounts.map(a => a.name)).toEqual(['tools', 'dev', 'prod']);
  expect(topology!.stages.map(s => s.name)).toEqual(['unit', 'build', 'e2e', 'deploy']);
  expect(topology!.defaultRegion).toBe('eu-west-1');
  expect(topology!.organizationId).toBe('o-abcdefghij');
  expect(topology!.stages.every(s => s.permissionsBoundaryStatements.some(b => b.sid === 'OrgDenyRegions'))).toBe(true);
  const prodDeploy = topology!.roles.find(r => r.stage === 'deploy' && r.account === 'prod')!;
  expect(prodDeploy.reviewers).toEqual(['acme/platform', 'acme/releasers']);
  expect(prodDeploy.waitTimerMinutes).toBe(5);
});

test('a repository picks a subset of the catalogue and extends a stage policy', () => {
  const { topology, problems } = merge({
    repositories: ['weebler/api'],
    stages: { unit: {}, deploy: { accounts: ['dev'], policyStatements: [{ sid: 'Own', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::weebler/*'] }] } },
  });
  expect(problems).toEqual([]);
  expect(topology!.stages.map(s => s.name)).toEqual(['unit', 'deploy']);
  const deploy = topology!.stages.find(s => s.name === 'deploy')!;
  expect(deploy.accounts).toEqual(['dev']);
  expect(deploy.images).toBe('pull');
  expect(deploy.policyStatements.map(s => s.sid)).toEqual(['CdkDeploy', 'Own']);
});

test('a repository adds its own account and stage', () => {
  const { topology, problems } = merge({
    repositories: ['weebler/api'],
    accounts: { sandbox: { id: '444444444444' } },
    stages: { unit: {}, smoke: { accounts: ['sandbox'] } },
  });
  expect(problems).toEqual([]);
  expect(topology!.roles.map(r => `${r.stage}@${r.account}`)).toEqual(['smoke@sandbox']);
});

describe('conflicts name both sources', () => {
  test('an org account id may not be overridden', () => {
    expect(merge({ repositories: ['weebler/api'], accounts: { prod: { id: '999999999999' } } }).problems).toEqual([
      'topology.accounts.prod.id: "999999999999" in .projenrc.ts conflicts with "333333333333" in the org defaults (@acme/stage-project); remove "id" from topology.accounts.prod in .projenrc.ts (the org owns account ids)',
    ]);
  });

  test('an org account production flag may not be overridden', () => {
    expect(merge({ repositories: ['weebler/api'], accounts: { prod: { id: '333333333333', production: false } } }).problems).toEqual([
      'topology.accounts.prod.production: false in .projenrc.ts conflicts with true in the org defaults (@acme/stage-project); remove "production" from topology.accounts.prod in .projenrc.ts (the org decides which accounts are production)',
    ]);
  });

  test('the org registry may not be replaced', () => {
    expect(merge({ repositories: ['weebler/api'], registry: { account: 'dev' } }).problems).toEqual([
      'topology.registry: {"account":"dev"} in .projenrc.ts conflicts with {"account":"tools"} in the org defaults (@acme/stage-project); remove registry from .projenrc.ts (the org owns it)',
    ]);
  });

  test('a production approval may not be weakened', () => {
    const { problems } = merge({ repositories: ['weebler/api'], stages: { deploy: { approval: { preventSelfReview: false, waitTimerMinutes: 0 } } } });
    expect(problems).toEqual([
      'topology.stages.deploy.approval.preventSelfReview: preventSelfReview: false in .projenrc.ts weakens the approval the org defaults (@acme/stage-project) require; remove it from .projenrc.ts',
      'topology.stages.deploy.approval.waitTimerMinutes: waitTimerMinutes: 0 in .projenrc.ts (org: 5) weakens the approval the org defaults (@acme/stage-project) require; remove it from .projenrc.ts',
    ]);
  });

  test('reviewers only accumulate', () => {
    const { topology } = merge({ repositories: ['weebler/api'], stages: { deploy: { approval: { reviewers: ['octocat'] } } } });
    expect(topology!.roles.find(r => r.environment === 'deploy-prod')!.reviewers).toEqual(['acme/platform', 'acme/releasers', 'octocat']);
  });
});

test('every validation error says where its field came from', () => {
  const org: OrgDefaults = { ...ORG, stages: { ...ORG.stages, e2e: { accounts: ['stagin'], images: 'pull' } } };
  const { problems } = merge({ repositories: ['Weebler/API'], stages: { e2e: {}, deploy: { accounts: ['dev', 'prd'] } } }, org);
  expect(problems).toEqual([
    'topology.repositories[0]: invalid ECR repository name "Weebler/API" (lowercase letters, digits, ".", "_", "-" and "/" between path parts, 2 to 256 characters, e.g. "widgetfactory/weebler/api") [from .projenrc.ts]',
    'topology.stages.e2e.accounts[0]: unknown account "stagin" (known: tools, dev, prod) [from the org defaults in @acme/stage-project]',
    'topology.stages.deploy.accounts[1]: unknown account "prd" (known: tools, dev, prod); did you mean "prod"? [from .projenrc.ts]',
  ]);
});

describe('StageProject with org defaults', () => {
  test('synthesizes from a topology that only names the repository\'s own choices', () => {
    const project = new StageProject({
      name: 'weebler',
      defaultReleaseBranch: 'main',
      cdkVersion: '2.257.0',
      outdir: mkdtempSync(join(tmpdir(), 'stage-org-')),
      githubRepository: REPO,
      orgDefaults: ORG,
      topology: { repositories: ['weebler/api'] },
    });
    const out = Testing.synth(project);
    expect(out[FILES.topology].roles.map((r: any) => r.roleArn)).toContain('arn:aws:iam::333333333333:role/stage-project/weebler/weebler-deploy');
  });

  test('projen new writes a short .projenrc.ts without the org\'s accounts and stages', () => {
    const text = renderProjenrc({
      name: 'weebler',
      defaultReleaseBranch: 'main',
      cdkVersion: '2.257.0',
      githubRepository: REPO,
      topology: { repositories: ['weebler/app'] },
      orgDefaults: true,
    }, ['@acme/stage-project']);
    expect(text).toContain("topology: { repositories: ['weebler/app'] },");
    expect(text).toContain('come from the org defaults');
    expect(text).not.toMatch(/accounts:|111111111111/);
  });
});
