import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Testing } from 'projen';
import { StageApp } from '../../src/cdk';
import { repositoryResources, trustPolicyDocument } from '../../src/cdk/policies';
import { policyLimitProblems } from '../../src/cdk/policy-limits';
import { addStackLimitValidation } from '../../src/cdk/stack-limits';
import { buildContract, diffContracts } from '../../src/contract/contract';
import { StageProject } from '../../src/project';
import {
  CLOUDFORMATION_MAX_RESOURCES, CLOUDFORMATION_MAX_TEMPLATE_BYTES, GITHUB_MATRIX_MAX_JOBS, GITHUB_WORKFLOW_MAX_BYTES,
  GITHUB_WORKFLOW_MAX_NEEDS_EDGES, IAM_MANAGED_POLICY_MAX_LENGTH, IAM_ROLE_INLINE_POLICIES_MAX_LENGTH,
  IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH, policyLength, REPOSITORIES_PER_REGISTRY_STACK,
} from '../../src/topology/limits';
import { StageTopology } from '../../src/topology/model';
import { MAX_ROLE_NAME } from '../../src/topology/naming';
import { normaliseTopology, resolveTopology, TopologyProblem } from '../../src/topology/normalise';
import { AccountOptions, GitHubRepositoryOptions, PolicyStatementOptions, StageOptions, TopologyOptions } from '../../src/topology/options';

// Each limit: a topology just over it fails with the limit and the fix, and one just under passes.

const REPO: GitHubRepositoryOptions = { owner: 'widgetfactory', repository: 'weebler' };
const ORG = 'o-a1b2c3d4e5';

function accounts(count: number, branches: (i: number) => string[] = () => ['main']): Record<string, AccountOptions> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i + 1}`, { id: String(200000000000 + i), branches: branches(i) }]));
}

function problems(topology: TopologyOptions, repo = REPO): TopologyProblem[] {
  return normaliseTopology(repo, topology).problems;
}

describe('500 resources per stack', () => {
  // An account's stack holds the OIDC provider, the boundary, the CDK metadata, and per stage
  // with image access a role and its image policy: 3 + 2 x stages.
  const withStages = (count: number): TopologyOptions => ({
    organizationId: ORG,
    accounts: { dev: { id: '111111111111' } },
    registry: { account: 'dev' },
    repositories: ['weebler/api'],
    stages: Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i + 1}`, { accounts: ['dev'], images: 'pull' } as StageOptions])),
  });

  test('an account stack one resource over fails validation, naming the stack and the fix', () => {
    const over = (CLOUDFORMATION_MAX_RESOURCES - 3) / 2 + 0.5;
    expect(problems(withStages(over))).toEqual([{
      path: 'topology.accounts.dev',
      message: `its stage stack stage-weebler-roles-dev would declare ${CLOUDFORMATION_MAX_RESOURCES + 1} resources; CloudFormation allows ${CLOUDFORMATION_MAX_RESOURCES} per stack. Fewer stages may run in this account (topology.stages.<stage>.accounts)`,
    }]);
    expect(problems(withStages(over - 1))).toEqual([]);
  });

  test('the estimate is the count the CDK CLI synthesizes (with its metadata resource)', () => {
    const topology = resolveTopology(REPO, withStages(20));
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')), analyticsReporting: true });
    new StageApp(app, { topology });
    const template = app.synth().getStackByName('stage-weebler-roles-dev').template;
    expect(Object.keys(template.Resources)).toHaveLength(3 + 2 * 20);
  });

  test('a stack the app grows past the limit fails synthesis with the fix', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')) });
    const stack = new Stack(app, 'Big');
    addStackLimitValidation(stack, 'split it');
    for (let i = 0; i < CLOUDFORMATION_MAX_RESOURCES + 1; i++) {
      new CfnResource(stack, `Topic${i}`, { type: 'AWS::SNS::Topic' });
    }
    expect(() => app.synth()).toThrow(`stack Big declares ${CLOUDFORMATION_MAX_RESOURCES + 1} resources; CloudFormation allows ${CLOUDFORMATION_MAX_RESOURCES} per stack (split it)`);
  });

  describe('registries split into stacks', () => {
    const registry = (count: number) => resolveTopology(REPO, {
      accounts: { tools: { id: '111111111111' } },
      registry: { account: 'tools' },
      repositories: Array.from({ length: count }, (_, i) => `weebler/service-${i}`),
      stages: { build: { accounts: ['tools'], images: 'push' } },
    });

    test(`up to ${REPOSITORIES_PER_REGISTRY_STACK} repositories keep the one registry stack and its id`, () => {
      const topology = registry(REPOSITORIES_PER_REGISTRY_STACK);
      expect(topology.registry.stacks.map(s => s.stackId)).toEqual(['stage-weebler-registry']);
      expect(topology.registry.stackId).toBe('stage-weebler-registry');
    });

    test('one more starts a second stack; the first keeps its id and its repositories', () => {
      const topology = registry(REPOSITORIES_PER_REGISTRY_STACK + 1);
      expect(topology.registry.stacks.map(s => [s.stackId, s.repositories.length]))
        .toEqual([['stage-weebler-registry', REPOSITORIES_PER_REGISTRY_STACK], ['stage-weebler-registry-2', 1]]);
      expect(topology.registry.stacks[0].repositories).toEqual(registry(REPOSITORIES_PER_REGISTRY_STACK).registry.stacks[0].repositories);
      expect(buildContract(topology, '@org/stage-project', '1.0.0').stackIds).toEqual(['stage-weebler-registry', 'stage-weebler-registry-2', 'stage-weebler-roles-tools']);

      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')) });
      const stageApp = new StageApp(app, { topology });
      const assembly = app.synth();
      expect(stageApp.registryStacks.map(s => s.stackName)).toEqual(['stage-weebler-registry', 'stage-weebler-registry-2']);
      expect(stageApp.registryStack).toBe(stageApp.registryStacks[0]);
      const count = (id: string) => Object.values(assembly.getStackByName(id).template.Resources).filter((r: any) => r.Type === 'AWS::ECR::Repository').length;
      expect([count('stage-weebler-registry'), count('stage-weebler-registry-2')]).toEqual([REPOSITORIES_PER_REGISTRY_STACK, 1]);
      expect(stageApp.registryStacks[1].repository('weebler/service-50').repositoryName).toBeDefined();
    });

    test('the upgrade guard sees a repository that moves to another registry stack', () => {
      const before = buildContract(registry(REPOSITORIES_PER_REGISTRY_STACK + 1), '@org/stage-project', '1.0.0');
      expect(before.repositoryStacks!['weebler/service-50']).toBe('stage-weebler-registry-2');
      const after = buildContract(registry(REPOSITORIES_PER_REGISTRY_STACK + 1), '@org/stage-project', '2.0.0');
      expect(diffContracts(before, after).breaking).toEqual([]);
      // A version that fills the stacks differently moves a repository.
      const moved = { ...after, repositoryStacks: { ...after.repositoryStacks, 'weebler/service-49': 'stage-weebler-registry-2' } };
      expect(diffContracts(before, moved).breaking).toEqual([expect.objectContaining({
        what: 'registry stack of image repository "weebler/service-49"',
        before: 'stage-weebler-registry',
        after: 'stage-weebler-registry-2',
        impact: expect.stringMatching(/fails to create it in stage-weebler-registry-2.*cdk import/),
      })]);
      // A contract from before the split had every repository in the one registry stack.
      const { repositoryStacks: _, ...legacy } = buildContract(registry(REPOSITORIES_PER_REGISTRY_STACK), '@org/stage-project', '1.0.0');
      expect(diffContracts(legacy, after).breaking.map(c => c.what)).toEqual(['registry stack of image repository "weebler/service-50"']);
    });
  });
});

test('a template over 1 MB fails synthesis with the fix', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')) });
  const stack = new Stack(app, 'Wide');
  addStackLimitValidation(stack, 'split it');
  // Ten parameters of 100,000 characters: just over the limit once the template's own JSON is added.
  for (let i = 0; i < 10; i++) {
    new CfnResource(stack, `Parameter${i}`, { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(100_000) } });
  }
  expect(() => app.synth()).toThrow(new RegExp(`the template of stack Wide is 100\\d{4} bytes; CloudFormation accepts templates of at most ${CLOUDFORMATION_MAX_TEMPLATE_BYTES} bytes, even through S3 \\(split it\\)`));
});

describe(`role trust policies of ${IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH} characters`, () => {
  // Valid names keep a trust policy near 1,000 characters (names are capped: role names at 64,
  // account and stage names at 63), so the check is exercised on a derived role with more subjects.
  const base = resolveTopology({ ...REPO, ownerId: 4242, repositoryId: 987654 }, {
    accounts: { dev: { id: '111111111111' } },
    registry: { account: 'dev' },
    stages: { e2e: { accounts: ['dev'], pullRequests: true } },
  });
  const withSubjects = (length: number): StageTopology => {
    const role = base.roles[0];
    // With one subject, the document is its fixed part plus the subject's characters.
    const fixed = policyLength(trustPolicyDocument(base, { ...role, subjects: [''] }));
    const subject = 'repo:widgetfactory/weebler:environment:e2e-dev-';
    return { ...base, roles: [{ ...role, subjects: [subject + 'x'.repeat(length - fixed - subject.length)] }] };
  };

  test('one character over fails, naming the quota, how to raise it and the fix', () => {
    const over = withSubjects(IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH + 1);
    expect(policyLength(trustPolicyDocument(over, over.roles[0]))).toBe(IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH + 1);
    expect(policyLimitProblems(over, IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH)).toEqual([{
      path: 'topology.stages.e2e',
      message: `the trust policy of role weebler-e2e in account "dev" is ${IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH + 1} characters; IAM allows ${IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH} (trust policy length quota). Shorten the stage, account or repository names, or turn off pullRequests, or raise IAM's "Role trust policy length" quota in Service Quotas (up to 8192) and set topology.trustPolicyMaxLength`,
    }]);
    expect(policyLimitProblems(withSubjects(IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH), IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH)).toEqual([]);
    expect(policyLimitProblems(over, 4096)).toEqual([]);
  });

  test('the measured document is the synthesized trust policy', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')) });
    new StageApp(app, { topology: base });
    const template = app.synth().getStackByName('stage-weebler-roles-dev').template;
    const role: any = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::IAM::Role');
    const rendered = JSON.parse(JSON.stringify(role.Properties.AssumeRolePolicyDocument).replace(/\{"Ref":"[^"]+"\}/, JSON.stringify(base.accounts[0].oidcProviderArn)));
    expect(rendered).toEqual(trustPolicyDocument(base, base.roles[0]));
  });

  test('a raised quota is set in the topology, within what Service Quotas grants', () => {
    const topology: TopologyOptions = { accounts: { dev: { id: '111111111111' } }, registry: { account: 'dev' }, stages: { unit: {} } };
    expect(problems({ ...topology, trustPolicyMaxLength: 4096 })).toEqual([]);
    expect(problems({ ...topology, trustPolicyMaxLength: 8193 }).map(p => p.path)).toEqual(['topology.trustPolicyMaxLength']);
    expect(problems({ ...topology, trustPolicyMaxLength: 1024 }).map(p => p.path)).toEqual(['topology.trustPolicyMaxLength']);
  });
});

describe(`managed policies of ${IAM_MANAGED_POLICY_MAX_LENGTH} characters and role inline policies of ${IAM_ROLE_INLINE_POLICIES_MAX_LENGTH}`, () => {
  const statement = (i: number, effect = 'Allow'): PolicyStatementOptions =>
    ({ sid: `Read${i}`, effect, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::widgetfactory-weebler-artifacts-${String(i).padStart(4, '0')}/*`] });
  const topology = (statements: PolicyStatementOptions[]): TopologyOptions => ({
    accounts: { dev: { id: '111111111111' } },
    registry: { account: 'dev' },
    stages: { deploy: { accounts: ['dev'], policyStatements: statements } },
  });
  test('a boundary just over the managed policy size fails, naming the stages it joins', () => {
    let count = 1;
    while (problems(topology(Array.from({ length: count }, (_, i) => statement(i)))).length === 0) {
      count++;
    }
    const found = problems(topology(Array.from({ length: count }, (_, i) => statement(i))));
    expect(found).toEqual([{
      path: 'topology.accounts.dev',
      message: expect.stringMatching(new RegExp(`^the permissions boundary weebler-stage-boundary in this account is \\d+ characters; IAM allows ${IAM_MANAGED_POLICY_MAX_LENGTH} for a managed policy \\(managed policy size\\)\\. It joins the policyStatements and permissionsBoundaryStatements of deploy: merge or shorten them`)),
    }]);
    const length = Number(/is (\d+) characters/.exec(found[0].message)![1]);
    expect(length).toBeGreaterThan(IAM_MANAGED_POLICY_MAX_LENGTH);
    expect(length).toBeLessThan(IAM_MANAGED_POLICY_MAX_LENGTH + 200);
    expect(problems(topology(Array.from({ length: count - 1 }, (_, i) => statement(i))))).toEqual([]);
  });

  test('statements added in the CDK app that push the boundary over fail synthesis', () => {
    const t = resolveTopology(REPO, topology([statement(0)]));
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')) });
    const stageApp = new StageApp(app, { topology: t });
    stageApp.addToStagePolicy('deploy', new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: Array.from({ length: 150 }, (_, i) => `arn:aws:s3:::widgetfactory-weebler-extra-${i}/*`),
    }));
    expect(() => app.synth()).toThrow(new RegExp(`the permissions boundary weebler-stage-boundary is \\d+ characters; IAM allows ${IAM_MANAGED_POLICY_MAX_LENGTH} for a managed policy`));
  });

  test('deny statements, which stay out of the boundary, can outgrow the role inline policy size', () => {
    const denies = (count: number) => topology(Array.from({ length: count }, (_, i) => statement(i, 'Deny')));
    let count = 1;
    while (problems(denies(count)).length === 0) {
      count++;
    }
    expect(problems(denies(count))).toEqual([{
      path: 'topology.stages.deploy.policyStatements',
      message: expect.stringMatching(new RegExp(`^the inline policies of role weebler-deploy in account "dev" are \\d+ characters together; IAM allows ${IAM_ROLE_INLINE_POLICIES_MAX_LENGTH} per role \\(role policy size\\)`)),
    }]);
    expect(problems(denies(count - 1))).toEqual([]);
  });

  test('many image repositories are named by their common path, so the policies stay small', () => {
    const t = resolveTopology(REPO, {
      organizationId: ORG,
      accounts: { tools: { id: '111111111111' } },
      registry: { account: 'tools' },
      repositories: Array.from({ length: 200 }, (_, i) => `widgetfactory/weebler/service-${i}`),
      stages: { build: { accounts: ['tools'], images: 'push' } },
    });
    expect(repositoryResources(t)).toEqual(['arn:aws:ecr:us-east-1:111111111111:repository/widgetfactory/weebler/*']);
    expect(repositoryResources({ ...t, repositories: t.repositories.slice(0, 2) })).toEqual(t.repositories.slice(0, 2).map(r => r.arn));
  });
});

test(`role names of ${MAX_ROLE_NAME} characters: one over fails`, () => {
  const topology = (stage: string): TopologyOptions => ({ accounts: { dev: { id: '111111111111' } }, registry: { account: 'dev' }, stages: { [stage]: { accounts: ['dev'] } } });
  // "weebler-" is 8 characters.
  expect(problems(topology('d'.repeat(MAX_ROLE_NAME - 8)))).toEqual([]);
  expect(problems(topology('d'.repeat(MAX_ROLE_NAME - 7)))).toEqual([{
    path: `topology.stages.${'d'.repeat(57)}`,
    message: `derived role name "weebler-${'d'.repeat(57)}" is 65 characters; IAM allows ${MAX_ROLE_NAME} (shorten the stage name or the repository name)`,
  }]);
});

describe(`${GITHUB_MATRIX_MAX_JOBS} jobs per matrix`, () => {
  const topology = (count: number): TopologyOptions => ({
    accounts: accounts(count),
    registry: { account: 'a1' },
    stages: { deploy: { accounts: Object.keys(accounts(count)) } },
  });

  test('a step over one account more than a matrix runs fails, with the fix', () => {
    expect(problems(topology(GITHUB_MATRIX_MAX_JOBS + 1))).toEqual([{
      path: 'topology.pipeline',
      message: `job "deploy" (step 1, stage "deploy") is a matrix over ${GITHUB_MATRIX_MAX_JOBS + 1} accounts; GitHub runs at most ${GITHUB_MATRIX_MAX_JOBS} jobs per matrix. Split the step into several pipeline steps of at most ${GITHUB_MATRIX_MAX_JOBS} accounts each`,
    }]);
    expect(problems(topology(GITHUB_MATRIX_MAX_JOBS))).toEqual([]);
  });
});

describe(`${GITHUB_WORKFLOW_MAX_NEEDS_EDGES} needs edges`, () => {
  // Every account its own branch: each step is one job per account, and each job of the
  // second step needs every job of the first.
  const topology = (count: number): TopologyOptions => {
    const all = accounts(count, i => [`release/${i}`]);
    return {
      accounts: all,
      registry: { account: 'a1' },
      stages: { deploy: { accounts: Object.keys(all) }, e2e: { accounts: Object.keys(all) } },
    };
  };

  test('a job graph over the budget fails, explaining what makes it big', () => {
    const over = Math.ceil(Math.sqrt(GITHUB_WORKFLOW_MAX_NEEDS_EDGES + 1));
    expect(problems(topology(over))).toEqual([{
      path: 'topology.pipeline',
      message: expect.stringMatching(new RegExp(`^the workflow would have ${2 * over} jobs with ${over * over} "needs" edges; GitHub fails runs whose job graph is too big before any job starts \\(this project allows ${GITHUB_WORKFLOW_MAX_NEEDS_EDGES} edges\\)\\. A step whose accounts have different branches`)),
    }]);
    expect(problems(topology(over - 1))).toEqual([]);
  });
});

describe(`workflow files of ${GITHUB_WORKFLOW_MAX_BYTES} bytes`, () => {
  // Stages without AWS access, one job each: the workflow grows by about the same for each.
  const project = (stages: number) => new StageProject({
    name: 'weebler',
    defaultReleaseBranch: 'main',
    cdkVersion: '2.257.0',
    outdir: mkdtempSync(join(tmpdir(), 'stage-limits-')),
    githubRepository: REPO,
    topology: {
      accounts: { dev: { id: '111111111111' } },
      registry: { account: 'dev' },
      stages: Object.fromEntries(Array.from({ length: stages }, (_, i) => [`check-${String(i).padStart(4, '0')}`, {}])),
    },
  });
  const size = (stages: number) => Buffer.byteLength(Testing.synth(project(stages))['.github/workflows/stages.yml']);

  const fits = (stages: number) => {
    try {
      return size(stages) <= GITHUB_WORKFLOW_MAX_BYTES;
    } catch {
      return false;
    }
  };

  test('a workflow just over the size GitHub runs fails synthesis, with the fix', () => {
    const perJob = size(11) - size(10);
    // The largest workflow that fits, found from the per-job growth and checked both ways.
    let stages = Math.floor((GITHUB_WORKFLOW_MAX_BYTES - size(10)) / perJob) + 10;
    while (!fits(stages)) {
      stages--;
    }
    while (fits(stages + 1)) {
      stages++;
    }
    expect(size(stages) + perJob).toBeGreaterThan(GITHUB_WORKFLOW_MAX_BYTES);
    expect(() => Testing.synth(project(stages + 1))).toThrow(new RegExp(`StagesWorkflow: .github/workflows/stages.yml would be \\d+ bytes with ${stages + 1} jobs; GitHub starts no run of a workflow file over ${GITHUB_WORKFLOW_MAX_BYTES} bytes \\(workflow file size\\)`));
  });
});
