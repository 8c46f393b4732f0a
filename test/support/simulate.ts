// Test-only: @cloud-copilot/iam-simulate and iam-policy are AGPL-3.0, so they stay devDependencies
// and out of the published (Apache-2.0) package.
import { createValidatedPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { StageRoleSpec, StageTopology } from '../../src/topology/model';
import * as naming from '../../src/topology/naming';

/**
 * IAM simulation of synthesized stage-project templates: pure functions over template
 * JSON and the normalised topology, shared by the tests and the `verify` command.
 */

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface CfnTemplate {
  readonly Resources: { [logicalId: string]: { readonly Type: string; readonly Properties?: any } };
}

export interface PolicyJson {
  readonly Version?: string;
  readonly Statement: any[];
}

/** Values CloudFormation would substitute when the stack deploys. */
export interface DeployContext {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** Concrete value (an ARN) of each `Ref` to a resource of the template. */
  readonly refs: { [logicalId: string]: string };
}

/**
 * Replaces `Ref`, `Fn::GetAtt ... Arn`, `Fn::Join` and the pseudo parameters with
 * concrete strings, so a policy can be simulated as IAM will see it.
 */
export function resolveIntrinsics(value: any, context: DeployContext): any {
  if (Array.isArray(value)) {
    return value.map(v => resolveIntrinsics(v, context));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const pseudo: { [name: string]: string } = {
      'AWS::Partition': context.partition,
      'AWS::AccountId': context.accountId,
      'AWS::Region': context.region,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    const resolved = pseudo[value.Ref] ?? context.refs[value.Ref];
    if (resolved === undefined) {
      throw new Error(`cannot resolve {"Ref": "${value.Ref}"}: no concrete value known`);
    }
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    if (attribute === 'Arn' && context.refs[logicalId] !== undefined) {
      return context.refs[logicalId];
    }
    throw new Error(`cannot resolve {"Fn::GetAtt": ["${logicalId}", "${attribute}"]}`);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'];
    return resolveIntrinsics(parts, context).join(separator);
  }
  const out: { [key: string]: any } = {};
  for (const key of keys) {
    out[key] = resolveIntrinsics(value[key], context);
  }
  return out;
}

/**
 * The concrete ARN of every named resource a stage stack creates, computed from the
 * topology (the same names the constructs were given).
 */
export function stageStackContext(template: CfnTemplate, topology: StageTopology, accountName: string): DeployContext {
  const account = topology.accounts.find(a => a.name === accountName);
  if (!account) {
    throw new Error(`unknown account "${accountName}"`);
  }
  const refs: { [logicalId: string]: string } = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::OIDCProvider') {
      refs[logicalId] = account.oidcProviderArn;
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy' && props.ManagedPolicyName === account.boundaryPolicyName) {
      refs[logicalId] = account.boundaryPolicyArn;
    } else if (resource.Type === 'AWS::IAM::Role' && typeof props.RoleName === 'string') {
      refs[logicalId] = `arn:${topology.partition}:iam::${account.id}:role${props.Path ?? '/'}${props.RoleName}`;
    }
  }
  return { partition: topology.partition, accountId: account.id, region: account.region, refs };
}

/** A stage role as IAM evaluates it: trust, identity policies and boundary, with every reference resolved. */
export interface RoleDocuments {
  readonly roleArn: string;
  readonly trust: PolicyJson;
  readonly identityPolicies: { name: string; policy: PolicyJson }[];
  readonly boundary?: PolicyJson;
}

/** The documents of the role named `roleName` in a synthesized stage stack. */
export function roleDocuments(template: CfnTemplate, context: DeployContext, roleName: string): RoleDocuments {
  const entry = Object.entries(template.Resources)
    .find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName);
  if (!entry) {
    throw new Error(`no role named "${roleName}" in the template`);
  }
  const [logicalId, role] = entry;
  const props = resolveIntrinsics(role.Properties, context);
  const identityPolicies: { name: string; policy: PolicyJson }[] = (props.Policies ?? [])
    .map((p: any) => ({ name: p.PolicyName, policy: p.PolicyDocument }));
  for (const resource of Object.values(template.Resources)) {
    const attached = resource.Type === 'AWS::IAM::Policy'
      && (resource.Properties?.Roles ?? []).some((r: any) => r?.Ref === logicalId);
    if (attached) {
      const policy = resolveIntrinsics(resource.Properties, context);
      identityPolicies.push({ name: policy.PolicyName, policy: policy.PolicyDocument });
    }
  }
  let boundary: PolicyJson | undefined;
  if (props.PermissionsBoundary) {
    const found = Object.entries(template.Resources)
      .find(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && context.refs[id] === props.PermissionsBoundary);
    if (!found) {
      throw new Error(`role "${roleName}" names boundary ${props.PermissionsBoundary}, which is not in the template`);
    }
    boundary = resolveIntrinsics(found[1].Properties.PolicyDocument, context);
  }
  return { roleArn: context.refs[logicalId], trust: props.AssumeRolePolicyDocument, identityPolicies, boundary };
}

/** The repository policy of `repositoryName` in the synthesized registry stack. */
export function repositoryPolicy(template: CfnTemplate, repositoryName: string): PolicyJson {
  const found = Object.values(template.Resources)
    .find(r => r.Type === 'AWS::ECR::Repository' && r.Properties?.RepositoryName === repositoryName);
  if (!found?.Properties?.RepositoryPolicyText) {
    throw new Error(`no policy for repository "${repositoryName}" in the template`);
  }
  return found.Properties.RepositoryPolicyText;
}

/** What a GitHub Actions job presents to STS. */
export interface OidcToken {
  /** The `sub` claim. */
  readonly sub: string;
  /** The `aud` claim. */
  readonly aud: string;
  /** The `repository_id` claim. */
  readonly repositoryId?: string;
  /** The IAM OIDC provider the token arrives through. */
  readonly providerArn: string;
}

/**
 * Whether `trust` lets `token` assume `roleArn`. The safe simulator drops the
 * `token.actions.githubusercontent.com:*` keys for this action (so everything would come
 * out denied); the unsafe one evaluates them, after the policy passed trust-policy validation.
 */
export function simulateAssumeRoleWithWebIdentity(trust: PolicyJson, roleArn: string, token: OidcToken): Decision {
  const validated = createValidatedPolicy(trust, validateTrustPolicy, { name: `trust of ${roleArn}` });
  if (validated.errors.length > 0) {
    throw new Error(`invalid trust policy of ${roleArn}: ${JSON.stringify(validated.errors)}`);
  }
  const contextVariables: Record<string, string> = {
    [naming.CLAIM_SUB]: token.sub,
    [naming.CLAIM_AUD]: token.aud,
  };
  if (token.repositoryId !== undefined) {
    contextVariables[naming.CLAIM_REPOSITORY_ID] = token.repositoryId;
  }
  return runUnsafeSimulation({
    request: {
      principal: token.providerArn,
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: { resource: roleArn, accountId: accountOf(roleArn) },
      contextVariables,
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: validated,
  }, {});
}

/** One token a stage role is tested against, and what must happen to it. */
export interface TokenCase {
  readonly description: string;
  readonly token: OidcToken;
  readonly allowed: boolean;
}

/**
 * The token corpus of one role: its own environment's tokens (allowed) and every near
 * miss that must be denied: another or prefix-alike repository, another stage's or
 * account's environment, a branch with no environment, a pull request (unless the stage
 * opted in), a wrong audience, another provider, and a recreated repository's id.
 */
export function tokenCorpus(topology: StageTopology, role: StageRoleSpec): TokenCase[] {
  const gh = topology.github;
  const aud = topology.oidc.audience;
  const providerArn = naming.oidcProviderArn(topology.partition, role.accountId);
  const repositoryId = gh.repositoryId !== undefined ? String(gh.repositoryId) : undefined;
  const own = naming.environmentSubject(gh, role.environment);
  const token = (sub: string, extra: Partial<OidcToken> = {}): OidcToken => ({ sub, aud, providerArn, repositoryId, ...extra });
  const stage = topology.stages.find(s => s.name === role.stage)!;

  const cases: TokenCase[] = [
    { description: 'its own environment', token: token(own), allowed: true },
    { description: 'another repository', token: token(naming.environmentSubject({ ...gh, repository: 'another-repository' }, role.environment)), allowed: false },
    { description: 'a prefix-alike repository', token: token(naming.environmentSubject({ ...gh, repository: `${gh.repository}-evil` }, role.environment)), allowed: false },
    { description: 'another owner', token: token(naming.environmentSubject({ ...gh, owner: `${gh.owner}-evil` }, role.environment)), allowed: false },
    { description: 'a branch with no environment', token: token(`repo:${gh.fullName}:ref:refs/heads/main`), allowed: false },
    { description: 'a pull request', token: token(naming.pullRequestSubject(gh)), allowed: stage.pullRequests },
    { description: 'a wrong audience', token: token(own, { aud: `https://github.com/${gh.owner}` }), allowed: false },
    { description: 'another provider', token: token(own, { providerArn: `arn:${topology.partition}:iam::${role.accountId}:oidc-provider/gitlab.com` }), allowed: false },
  ];
  for (const other of topology.roles) {
    if (other.environment !== role.environment) {
      const why = other.stage === role.stage ? `another account's environment (${other.environment})` : `another stage's environment (${other.environment})`;
      cases.push({ description: why, token: token(naming.environmentSubject(gh, other.environment)), allowed: false });
    }
  }
  const immutable = naming.immutableEnvironmentSubject(gh, role.environment);
  if (immutable) {
    cases.push({ description: 'its own environment, immutable subject', token: token(immutable), allowed: true });
    cases.push({ description: 'a recreated repository with the same name', token: token(own, { repositoryId: String(Number(repositoryId) + 1) }), allowed: false });
  }
  return cases;
}

/** One request of a principal to a resource, for the regular (validating) simulator. */
export interface RequestSimulation {
  readonly principalArn: string;
  readonly action: string;
  readonly resourceArn: string;
  readonly resourceAccountId: string;
  readonly identityPolicies: { name: string; policy: PolicyJson }[];
  readonly boundary?: PolicyJson;
  readonly resourcePolicy?: PolicyJson;
  /** Extra request context, e.g. `aws:PrincipalOrgID` or `iam:PermissionsBoundary`. */
  readonly context?: Record<string, string | string[]>;
}

/** Simulates a request as IAM would evaluate it; validation errors throw instead of reading as a denial. */
export async function simulateRequest(request: RequestSimulation): Promise<Decision> {
  const result = await runSimulation({
    request: {
      principal: request.principalArn,
      action: request.action,
      resource: { resource: request.resourceArn, accountId: request.resourceAccountId },
      contextVariables: {
        'aws:PrincipalArn': request.principalArn,
        'aws:PrincipalAccount': accountOf(request.principalArn),
        ...request.context,
      },
    },
    identityPolicies: request.identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
    permissionBoundaryPolicies: request.boundary ? [{ name: 'boundary', policy: request.boundary }] : undefined,
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`simulation of ${request.action} on ${request.resourceArn} failed: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

function accountOf(arn: string): string {
  return arn.split(':')[4];
}
