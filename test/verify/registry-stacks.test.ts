import { rmSync, unlinkSync } from 'fs';
import { join } from 'path';
import { RepositoryCopy, synthesizeRepository, verifyCopy } from './support';
import { scaleTopology } from '../../scripts/lib/scale-topology';
import { ECR_PUSH_ACTIONS } from '../../src/cdk/policies';
import { REPOSITORIES_PER_REGISTRY_STACK } from '../../src/topology/limits';
import * as naming from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';
import { CliResult, runCli } from '../settings/helpers';

/**
 * More repositories than one registry stack holds: verify reads each repository's policy from
 * the registry stack that holds it (`topology.registry.stacks`), not only the first.
 */

const scale = scaleTopology(3, 4, REPOSITORIES_PER_REGISTRY_STACK + 2);
const topology = resolveTopology(scale.githubRepository, scale.topology);
const source = synthesizeRepository(topology);
afterAll(() => rmSync(source, { recursive: true, force: true }));

const [FIRST, SECOND] = topology.registry.stacks;
/** The first repository of the second registry stack, and one of the first stack. */
const LATE = SECOND.repositories[0];
const EARLY = FIRST.repositories[0];
const E2E = topology.roles.find(r => r.stage === 'e2e' && r.account.startsWith('dev-'))!;
const E2E_KEY = `e2e/${E2E.account}`;

/** The roles that can push a repository, by column key. */
function pushers(result: CliResult, repository: string): string[] {
  const cells = result.json().rows.find((r: any) => r.id === `ecr-push:${repository}`).cells;
  return Object.entries(cells).filter(([, v]) => v).map(([k]) => k);
}


test('the topology splits the registry into two stacks', () => {
  expect(topology.registry.stacks.map(s => [s.stackId, s.repositories.length])).toEqual([
    ['stage-fleet-registry', REPOSITORIES_PER_REGISTRY_STACK],
    ['stage-fleet-registry-2', 2],
  ]);
  expect(LATE).toBe('widgetfactory/fleet/service-051');
});

test('the repositories of the second registry stack are simulated from its policies: build pushes, e2e pulls and does not push', async () => {
  const result = await runCli(['verify', '--json'], { cwd: source });
  expect(result.json().findings).toEqual([]);
  expect(result.code).toBe(0);
  const rows = result.json().rows;
  for (const repository of [EARLY, ...SECOND.repositories]) {
    expect(pushers(result, repository)).toEqual(['build/tools']);
    // Every stage role here pulls (build, deploy and e2e).
    const pull = rows.find((r: any) => r.id === `ecr-pull:${repository}`).cells;
    expect(Object.keys(pull)).toContain(E2E_KEY);
    expect(Object.values(pull).every(v => v === true)).toBe(true);
  }
  // Every ECR cell of every repository was simulated.
  const ecr = rows.filter((r: any) => r.id.startsWith('ecr-'));
  expect(ecr).toHaveLength(2 * topology.repositories.length);
  expect(ecr.flatMap((r: any) => Object.values(r.cells)).filter((v: unknown) => typeof v !== 'boolean')).toEqual([]);
});

test('push granted to the e2e role in a repository policy of the second stack is found', async () => {
  const pushStatement = { Sid: 'E2ePush', Effect: 'Allow', Action: ECR_PUSH_ACTIONS, Resource: topology.repositories.find(r => r.name === LATE)!.arn };
  const account = topology.accounts.find(a => a.name === E2E.account)!;
  const result = await verifyCopy(source, copy => {
    // The role's side too: ECR across accounts needs both the role's policy and the repository's.
    copy.template(account.stackId!, t => {
      const [logicalId] = Object.entries<any>(t.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === E2E.roleName)!;
      const policy = RepositoryCopy.resource(t, 'AWS::IAM::Policy', p => p.Roles.some((x: any) => x.Ref === logicalId));
      policy.Properties.PolicyDocument.Statement.push(pushStatement);
      RepositoryCopy.resource(t, 'AWS::IAM::ManagedPolicy', p => p.ManagedPolicyName === account.boundaryPolicyName)
        .Properties.PolicyDocument.Statement.unshift(pushStatement);
    });
    copy.template(SECOND.stackId, t => {
      RepositoryCopy.resource(t, 'AWS::ECR::Repository', p => p.RepositoryName === LATE).Properties.RepositoryPolicyText.Statement.push({
        Sid: 'E2ePush',
        Effect: 'Allow',
        Principal: { AWS: naming.accountRootArn('aws', E2E.accountId) },
        Action: ECR_PUSH_ACTIONS,
        Condition: { StringEquals: { 'aws:PrincipalArn': E2E.roleArn } },
      });
    });
  });
  expect(result.code).toBe(1);
  const report = result.json();
  const found = report.findings.find((f: any) => f.problem.startsWith(`can push images to ${LATE}`));
  expect(found).toMatchObject({
    where: `${E2E.roleName} in ${E2E.account}`,
    problem: `can push images to ${LATE}, but stage e2e declares images: 'pull'`,
  });
  expect(found.fix).toContain(`the repository policy in registry stack ${SECOND.stackId}`);
  expect(pushers(result, LATE)).toEqual(['build/tools', E2E_KEY]);
  // The other repository of the second stack, and the first stack's, are untouched.
  expect(pushers(result, SECOND.repositories[1])).toEqual(['build/tools']);
  expect(pushers(result, EARLY)).toEqual(['build/tools']);
});

test('a registry stack missing from cdk.out is one finding naming the stack; its repositories are not simulated', async () => {
  const result = await verifyCopy(source, copy => copy.json(join('cdk.out', 'manifest.json'), m => {
    delete m.artifacts[SECOND.stackId];
  }));
  expect(result.code).toBe(1);
  const report = result.json();
  expect(report.findings.map((f: any) => `${f.where}: ${f.problem}`)).toEqual([
    expect.stringMatching(new RegExp(`^stack ${SECOND.stackId}: the cloud assembly has no registry stack ${SECOND.stackId}, which holds 2 image repositories \\(${LATE}, widgetfactory/fleet/service-052\\), so their image access is not simulated`)),
  ]);
  expect(report.rows.find((r: any) => r.id === `ecr-push:${LATE}`).cells[E2E_KEY]).toBeNull();
  expect(pushers(result, EARLY)).toEqual(['build/tools']);
});

test('a registry template listed in the manifest but missing is an error naming the stack', async () => {
  const result = await verifyCopy(source, copy => unlinkSync(join(copy.dir, 'cdk.out', `${SECOND.stackId}.template.json`)));
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(new RegExp(`error: \\S+${SECOND.stackId}\\.template\\.json: the template of stack ${SECOND.stackId} is missing, though \\S+manifest\\.json lists it`));
});
