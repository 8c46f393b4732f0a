import { Template } from 'aws-cdk-lib/assertions';
import { manyAccounts, synth } from './fixtures';
import { repositoryPolicyStatements } from '../../src/cdk/policies';
import {
  ECR_REPOSITORY_POLICY_MAX_LENGTH, MAX_LISTED_REGISTRY_ACCOUNTS, normaliseTopology, registryNeedsOrganization, resolveTopology,
} from '../../src/topology/normalise';
import { StageOptions } from '../../src/topology/options';
import { repositoryPolicy, roleDocuments, simulateRequest, stageStackContext } from '../support/simulate';

const ORG = 'o-a1b2c3d4e5';

/** Few accounts, many pulling stages and a long repository name: the listed policy outgrows ECR's limit first. */
function wideStages(organizationId?: string) {
  const { repo, options } = manyAccounts(12, organizationId, 'a-repository-name-long-enough-to-fill-the-policy');
  const stages: { [name: string]: StageOptions } = { build: options.stages!.build };
  for (const name of ['deploy', 'e2e', 'smoke', 'perf', 'audit']) {
    stages[name] = { accounts: Object.keys(options.accounts!), images: 'pull' };
  }
  return { repo, options: { ...options, stages } };
}

describe('validation', () => {
  test(`up to ${MAX_LISTED_REGISTRY_ACCOUNTS} accounts need no organization id, and their listed policy fits`, () => {
    const { repo, options } = manyAccounts(MAX_LISTED_REGISTRY_ACCOUNTS);
    const result = normaliseTopology(repo, options);
    expect(result.problems).toEqual([]);
    const listed = repositoryPolicyStatements(result.topology!);
    expect(JSON.stringify(listed)).not.toMatch(/PrincipalOrgID/);
    expect(JSON.stringify({ Version: '2012-10-17', Statement: listed }).length).toBeLessThan(ECR_REPOSITORY_POLICY_MAX_LENGTH);
  });

  test('one account more needs topology.organizationId, and says how to find it', () => {
    const { repo, options } = manyAccounts(MAX_LISTED_REGISTRY_ACCOUNTS + 1);
    const result = normaliseTopology(repo, options);
    expect(result.topology).toBeUndefined();
    expect(result.problems).toEqual([{
      path: 'topology.organizationId',
      message: expect.stringMatching(/cannot list 21 accounts .* set organizationId: "o-\.\.\." \(aws organizations describe-organization/),
    }]);
  });

  test('a policy over ECR\'s size limit needs it too, even with few accounts', () => {
    const { repo, options } = wideStages();
    expect(Object.keys(options.accounts!).length).toBeLessThanOrEqual(MAX_LISTED_REGISTRY_ACCOUNTS);
    expect(normaliseTopology(repo, options).problems.map(p => p.path)).toEqual(['topology.organizationId']);
    // The estimate is not overcautious: listing them really would not fit.
    const listed = repositoryPolicyStatements({ ...resolveTopology(repo, { ...options, organizationId: ORG }), organizationId: undefined });
    expect(JSON.stringify({ Version: '2012-10-17', Statement: listed }).length).toBeGreaterThan(ECR_REPOSITORY_POLICY_MAX_LENGTH);
  });

  test('with the id set, both topologies are valid', () => {
    expect(normaliseTopology(manyAccounts(25, ORG).repo, manyAccounts(25, ORG).options).problems).toEqual([]);
    expect(normaliseTopology(wideStages(ORG).repo, wideStages(ORG).options).problems).toEqual([]);
  });
});

describe.each([
  ['past the account count', () => manyAccounts(25, ORG)],
  ['past the policy size', () => wideStages(ORG)],
])('the registry policy %s', (_, make) => {
  const { repo, options } = make();
  const topology = resolveTopology(repo, options);
  const synthesized = synth(topology);
  const registry = synthesized.template(topology.registry.stackId);
  const policy = repositoryPolicy(registry, 'fleet/app');

  test('trusts the organization, still narrowed to the stage roles by name', () => {
    expect(registryNeedsOrganization(topology)).toBe(true);
    const pull = policy.Statement.find((s: any) => s.Sid === 'PullByStageRoles');
    const stages = [...new Set(topology.roles.filter(r => r.pull).map(r => r.stage))];
    expect(pull).toEqual(expect.objectContaining({
      Principal: { AWS: '*' },
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ORG },
        ArnLike: { 'aws:PrincipalArn': stages.map(s => `arn:aws:iam::*:role/stage-project/${repo.repository}/${repo.repository}-${s}`) },
      },
    }));
    expect(policy.Statement.find((s: any) => s.Sid === 'LambdaPull').Condition).toEqual({ StringEquals: { 'aws:SourceOrgID': ORG } });
    Template.fromJSON(registry).resourceCountIs('AWS::ECR::Repository', 1);
  });

  test('fits in ECR\'s limit', () => {
    expect(JSON.stringify(policy).length).toBeLessThan(ECR_REPOSITORY_POLICY_MAX_LENGTH);
  });

  test.each([
    [ORG, 'Allowed'],
    ['o-zzzzzzzzzz', 'ImplicitlyDenied'],
  ])('a deploy role from an organization account %s pulls: %s', async (orgId, expected) => {
    const role = topology.roles.find(r => r.stage === 'deploy' && r.account === 'acct7')!;
    const template = synthesized.template(topology.accounts.find(a => a.name === 'acct7')!.stackId!);
    const docs = roleDocuments(template, stageStackContext(template, topology, 'acct7'), role.roleName);
    const decision = await simulateRequest({
      principalArn: docs.roleArn,
      action: 'ecr:BatchGetImage',
      resourceArn: topology.repositories[0].arn,
      resourceAccountId: topology.registry.accountId,
      identityPolicies: docs.identityPolicies,
      boundary: docs.boundary,
      resourcePolicy: policy,
      context: { 'aws:PrincipalOrgID': orgId },
    });
    expect(decision).toBe(expected);
  });
});

test('a topology that skipped validation and lacks the id fails synthesis with the fix', () => {
  const { repo, options } = wideStages(ORG);
  const topology = { ...resolveTopology(repo, options), organizationId: undefined };
  expect(() => synth(topology)).toThrow(/cannot list these 12 accounts and their roles: set topology.organizationId/);
});
