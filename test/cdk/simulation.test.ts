import { ESCALATIONS, exampleTopology, fullTopology, synth, SynthesizedRole, synthesizedRoles } from './fixtures';
import { StageRoleSpec, StageTopology } from '../../src/topology/model';
import {
  CfnTemplate, PolicyJson, repositoryPolicy, simulateAssumeRoleWithWebIdentity, simulateRequest, tokenCorpus,
} from '../support/simulate';

interface Built {
  readonly topology: StageTopology;
  readonly roles: SynthesizedRole[];
  readonly registry: CfnTemplate;
}

function build(topology: StageTopology): Built {
  const synthesized = synth(topology);
  return { topology, roles: synthesizedRoles(topology, synthesized), registry: synthesized.template(topology.registry.stackId) };
}

/** The trust with its exact subjects replaced by the repository-wide pattern the issue warns about. */
function widened(trust: PolicyJson, topology: StageTopology): PolicyJson {
  return {
    ...trust,
    Statement: trust.Statement.map(s => {
      const { 'token.actions.githubusercontent.com:sub': _sub, ...equals } = s.Condition.StringEquals;
      return {
        ...s,
        Condition: {
          ...s.Condition,
          StringEquals: equals,
          StringLike: { 'token.actions.githubusercontent.com:sub': `repo:${topology.github.fullName}:*` },
        },
      };
    }),
  };
}

const label = (r: { spec: StageRoleSpec }) => `${r.spec.stage} in ${r.spec.account}`;

describe.each([
  ['the example topology', exampleTopology()],
  ['a topology with every option', fullTopology()],
])('%s', (_, topology) => {
  const built = build(topology);

  test('has three accounts', () => {
    expect(new Set(built.roles.map(r => r.spec.account)).size).toBe(3);
  });

  describe.each(built.roles.map(r => [label(r), r] as const))('trust of %s', (__, role) => {
    const corpus = tokenCorpus(topology, role.spec);

    test.each(corpus.map(c => [c.description, c] as const))('%s', (___, c) => {
      const decision = simulateAssumeRoleWithWebIdentity(role.docs.trust, role.docs.roleArn, c.token);
      expect(decision).toBe(c.allowed ? 'Allowed' : 'ImplicitlyDenied');
    });

    test('the same corpus fails if the trust were widened to repo:owner/repository:*', () => {
      const loose = widened(role.docs.trust, topology);
      const broken = corpus
        .filter(c => (simulateAssumeRoleWithWebIdentity(loose, role.docs.roleArn, c.token) === 'Allowed') !== c.allowed)
        .map(c => c.description);
      expect(broken).toEqual(expect.arrayContaining([
        expect.stringMatching(/^a branch with no environment/),
        expect.stringMatching(/^another (stage|account)'s environment/),
      ]));
    });
  });

  describe.each(built.roles.map(r => [label(r), r] as const))('boundary of %s', (__, role) => {
    const account = topology.accounts.find(a => a.name === role.spec.account)!;
    // Even an identity policy that allows everything cannot get past the boundary's denies.
    const admin = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];

    test.each(ESCALATIONS.map(e => [e.description, e] as const))('denies: %s', async (___, escalation) => {
      const decision = await simulateRequest({
        principalArn: role.docs.roleArn,
        action: escalation.action,
        resourceArn: escalation.resource(account.id, role.docs.roleArn, account.boundaryPolicyArn),
        resourceAccountId: account.id,
        identityPolicies: admin,
        boundary: role.docs.boundary,
        context: escalation.context,
      });
      expect(decision).toBe('ExplicitlyDenied');
    });

    test('still lets a role be created with this boundary', async () => {
      const decision = await simulateRequest({
        principalArn: role.docs.roleArn,
        action: 'iam:CreateRole',
        resourceArn: `arn:aws:iam::${account.id}:role/bounded`,
        resourceAccountId: account.id,
        identityPolicies: admin,
        boundary: role.docs.boundary,
        context: { 'iam:PermissionsBoundary': account.boundaryPolicyArn },
      });
      const stageAllowsIam = topology.stages.some(s => s.accounts.includes(account.name)
        && s.permissionsBoundaryStatements.some(st => st.actions?.includes('iam:CreateRole')));
      expect(decision).toBe(stageAllowsIam ? 'Allowed' : 'ImplicitlyDenied');
    });
  });

  describe('registry access from every role', () => {
    const cases = built.roles.flatMap(role => topology.repositories.flatMap(repo => [
      { role, repo: repo.name, arn: repo.arn, action: 'ecr:BatchGetImage', expected: role.spec.pull },
      { role, repo: repo.name, arn: repo.arn, action: 'ecr:PutImage', expected: role.spec.push },
    ]));

    test.each(cases.map(c => [c.action, label(c.role), c.repo, c] as const))('%s by %s on %s', async (_a, _r, _p, c) => {
      const decision = await simulateRequest({
        principalArn: c.role.docs.roleArn,
        action: c.action,
        resourceArn: c.arn,
        resourceAccountId: topology.registry.accountId,
        identityPolicies: c.role.docs.identityPolicies,
        boundary: c.role.docs.boundary,
        resourcePolicy: repositoryPolicy(built.registry, c.repo),
      });
      expect(decision === 'Allowed').toBe(c.expected);
    });

    test('push is exactly the push stage\'s role in the registry account', () => {
      expect(topology.roles.filter(r => r.push).map(r => [r.stage, r.account])).toEqual([['build', topology.registry.account]]);
    });

    test('another role in a topology account cannot pull, even under the stage roles\' path', async () => {
      const other = topology.accounts.find(a => a.name !== topology.registry.account)!;
      const decision = await simulateRequest({
        principalArn: `arn:aws:iam::${other.id}:role/stage-project/${topology.github.repository}/${topology.github.repository}-intruder`,
        action: 'ecr:BatchGetImage',
        resourceArn: topology.repositories[0].arn,
        resourceAccountId: topology.registry.accountId,
        identityPolicies: [{ name: 'ecr', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } }],
        resourcePolicy: repositoryPolicy(built.registry, topology.repositories[0].name),
      });
      expect(decision).toBe('ImplicitlyDenied');
    });
  });
});
