import { registryNeedsOrganization } from '../topology/limits';
import { StageRoleSpec, StageTopology, StatementSpec } from '../topology/model';
import * as naming from '../topology/naming';

/**
 * The policy documents of the CDK app as plain IAM JSON, computed from the normalised
 * topology alone. Constructs turn them into CloudFormation; tests and `verify` read the
 * synthesized result, so what is proven is what deploys.
 */

/** One IAM statement in AWS's JSON shape. */
export interface StatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: { [kind: string]: string | string[] } | '*';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: { [operator: string]: { [key: string]: string | string[] } };
}

/** What a pull needs once logged in: layer and manifest reads, and digest lookups for deploys. */
export const ECR_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:DescribeImages',
  'ecr:GetDownloadUrlForLayer',
];

/** The layer upload and `PutImage` actions only push roles get. */
export const ECR_PUSH_ACTIONS = [
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

/** What Lambda needs to create functions from images in another account. */
export const LAMBDA_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** Long-lived credentials would outlive the one-hour session and the OIDC trust. */
export const DENIED_CREDENTIAL_ACTIONS = ['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:CreateUser'];

/** Each of these on a stage role would let a stage raise its own (or a sibling's) access. */
export const DENIED_STAGE_ROLE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:DeleteRolePermissionsBoundary',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
];

/** Rewriting the boundary itself would undo every deny in it. */
export const DENIED_BOUNDARY_ACTIONS = [
  'iam:CreatePolicyVersion',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
];

/** A role created or re-bounded without this boundary would escape it. */
export const DENIED_UNBOUNDED_ROLE_ACTIONS = ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'];

/** The OIDC provider is the root of every stage role's trust. */
export const DENIED_OIDC_PROVIDER_ACTIONS = [
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:CreateOpenIDConnectProvider',
  'iam:DeleteOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:TagOpenIDConnectProvider',
  'iam:UntagOpenIDConnectProvider',
  'iam:UpdateOpenIDConnectProviderThumbprint',
];

export const DENIED_ACCOUNT_ACTIONS = ['account:*', 'organizations:*'];

/** Trust conditions of a stage role: exact audience, exact subjects, and the repository id when known. */
export function trustConditions(topology: StageTopology, role: StageRoleSpec): { [operator: string]: { [key: string]: string | string[] } } {
  const equals: { [key: string]: string | string[] } = {
    [naming.CLAIM_AUD]: topology.oidc.audience,
    [naming.CLAIM_SUB]: [...role.subjects],
  };
  if (topology.github.repositoryId !== undefined) {
    equals[naming.CLAIM_REPOSITORY_ID] = String(topology.github.repositoryId);
  }
  return { StringEquals: equals };
}

/**
 * The trust policy of a stage role as IAM stores it, with the provider's concrete ARN
 * where the template has a reference: what counts against IAM's trust policy length.
 */
export function trustPolicyDocument(topology: StageTopology, role: StageRoleSpec): PolicyDocumentJson {
  const account = topology.accounts.find(a => a.name === role.account)!;
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: account.oidcProviderArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: trustConditions(topology, role),
    }],
  };
}

/** A policy document in AWS's JSON shape. */
export interface PolicyDocumentJson {
  readonly Version: string;
  readonly Statement: StatementJson[];
}

export function statementJson(spec: StatementSpec): StatementJson {
  return {
    ...(spec.sid ? { Sid: spec.sid } : {}),
    Effect: spec.effect,
    ...(spec.actions ? { Action: [...spec.actions] } : {}),
    ...(spec.notActions ? { NotAction: [...spec.notActions] } : {}),
    Resource: [...spec.resources],
    ...(spec.conditions ? { Condition: spec.conditions } : {}),
  };
}

/** The stage's own statements for one role. */
export function stagePolicyStatements(topology: StageTopology, role: StageRoleSpec): StatementJson[] {
  const stage = topology.stages.find(s => s.name === role.stage)!;
  return stage.policyStatements.map(statementJson);
}

/**
 * Past this many characters of repository ARNs, image statements name the repositories by
 * their common path instead: listed in the boundary (a managed policy, 6,144 characters)
 * and in each role's inline policies (10,240 together), a few hundred ARNs would not fit.
 */
export const MAX_LISTED_REPOSITORY_ARNS_LENGTH = 1_024;

/**
 * The repositories image statements name: each ARN, or, when the list would crowd IAM's
 * policy size quotas, one pattern over the registry's repositories that share the
 * repositories' longest common path (`repository/widgetfactory/*`), in the registry's
 * account and region only.
 */
export function repositoryResources(topology: StageTopology): string[] {
  const arns = topology.repositories.map(r => r.arn);
  if (JSON.stringify(arns).length <= MAX_LISTED_REPOSITORY_ARNS_LENGTH) {
    return arns;
  }
  const paths = topology.repositories.map(r => r.name.split('/'));
  const common: string[] = [];
  for (let i = 0; paths.every(p => p.length > i + 1 && p[i] === paths[0][i]); i++) {
    common.push(paths[0][i]);
  }
  const prefix = topology.repositories[0].arn.slice(0, topology.repositories[0].arn.length - topology.repositories[0].name.length);
  return [`${prefix}${common.map(part => `${part}/`).join('')}*`];
}

/** What the role's image access implies: login and pull for `pull`, plus upload only in the registry account. */
export function imageAccessStatements(topology: StageTopology, access: { pull: boolean; push: boolean }): StatementJson[] {
  if (topology.repositories.length === 0 || (!access.pull && !access.push)) {
    return [];
  }
  const statements: StatementJson[] = [
    // GetAuthorizationToken has no resource type: IAM only accepts "*" for it.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'PullImages', Effect: 'Allow', Action: ECR_PULL_ACTIONS, Resource: repositoryResources(topology) },
  ];
  if (access.push) {
    statements.push({ Sid: 'PushImages', Effect: 'Allow', Action: ECR_PUSH_ACTIONS, Resource: repositoryResources(topology) });
  }
  return statements;
}

/**
 * The permissions boundary of one account: the union of what its stages need, then the
 * explicit denies that no stage statement can lift.
 */
export function boundaryStatements(topology: StageTopology, accountName: string): StatementJson[] {
  const account = topology.accounts.find(a => a.name === accountName)!;
  const roles = topology.roles.filter(r => r.account === accountName);
  const stages = topology.stages.filter(s => roles.some(r => r.stage === s.name));
  const repo = topology.github;
  const p = topology.partition;

  const allows: StatementJson[] = [];
  for (const stage of stages) {
    allows.push(...stage.policyStatements.filter(s => s.effect === 'Allow').map(statementJson));
  }
  allows.push(...imageAccessStatements(topology, { pull: roles.some(r => r.pull), push: roles.some(r => r.push) }));
  for (const stage of stages) {
    allows.push(...stage.permissionsBoundaryStatements.map(statementJson));
  }

  const denies: StatementJson[] = [
    { Sid: 'DenyLongLivedCredentials', Effect: 'Deny', Action: DENIED_CREDENTIAL_ACTIONS, Resource: '*' },
    {
      Sid: 'DenyStageRoleChanges',
      Effect: 'Deny',
      Action: DENIED_STAGE_ROLE_ACTIONS,
      Resource: naming.repositoryRolesArnPattern(p, account.id, repo),
    },
    { Sid: 'DenyBoundaryChanges', Effect: 'Deny', Action: DENIED_BOUNDARY_ACTIONS, Resource: account.boundaryPolicyArn },
    // A role that was created with the boundary must keep it, whoever created it.
    { Sid: 'DenyBoundaryRemoval', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
    {
      Sid: 'DenyRolesWithoutBoundary',
      Effect: 'Deny',
      Action: DENIED_UNBOUNDED_ROLE_ACTIONS,
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': account.boundaryPolicyArn } },
    },
    {
      Sid: 'DenyOidcProviderChanges',
      Effect: 'Deny',
      Action: DENIED_OIDC_PROVIDER_ACTIONS,
      Resource: `arn:${p}:iam::${account.id}:oidc-provider/*`,
    },
    { Sid: 'DenyAccountAndOrganizations', Effect: 'Deny', Action: DENIED_ACCOUNT_ACTIONS, Resource: '*' },
  ];
  return [...uniqueSids(allows), ...denies];
}

// Two stages may carry statements with the same Sid; IAM rejects duplicate Sids in one document.
function uniqueSids(statements: StatementJson[]): StatementJson[] {
  const seen = new Set<string>();
  return statements.map(s => {
    if (!s.Sid || !seen.has(s.Sid)) {
      if (s.Sid) {
        seen.add(s.Sid);
      }
      return s;
    }
    const { Sid: _dropped, ...rest } = s;
    return rest;
  });
}

/**
 * The policy every registry repository carries. Roles are named by ARN in an
 * `aws:PrincipalArn` condition under their account's root principal, so the policy
 * deploys before the roles exist; past the listing limit it trusts the organization.
 */
export function repositoryPolicyStatements(topology: StageTopology): StatementJson[] {
  const p = topology.partition;
  const repo = topology.github;
  const pulling = topology.roles.filter(r => r.pull);
  const pushing = topology.roles.filter(r => r.push);
  const statements: StatementJson[] = [];
  // Without an id, the listed form is rendered and RegistryStack reports the missing id.
  const useOrganization = registryNeedsOrganization(topology) && topology.organizationId !== undefined;

  if (pulling.length > 0) {
    if (useOrganization) {
      const stages = [...new Set(pulling.map(r => r.stage))];
      statements.push({
        Sid: 'PullByStageRoles',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ECR_PULL_ACTIONS,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': topology.organizationId! },
          ArnLike: { 'aws:PrincipalArn': stages.map(s => naming.roleArnInAnyAccount(p, repo, s)) },
        },
      });
    } else {
      statements.push({
        Sid: 'PullByStageRoles',
        Effect: 'Allow',
        Principal: { AWS: [...new Set(pulling.map(r => naming.accountRootArn(p, r.accountId)))] },
        Action: ECR_PULL_ACTIONS,
        Condition: { StringEquals: { 'aws:PrincipalArn': pulling.map(r => r.roleArn) } },
      });
    }
  }
  if (pushing.length > 0) {
    // Push roles live in the registry account only, so they are always listed.
    statements.push({
      Sid: 'PushByStageRoles',
      Effect: 'Allow',
      Principal: { AWS: naming.accountRootArn(p, topology.registry.accountId) },
      Action: [...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS],
      Condition: { StringEquals: { 'aws:PrincipalArn': pushing.map(r => r.roleArn) } },
    });
  }
  statements.push({
    Sid: 'LambdaPull',
    Effect: 'Allow',
    Principal: { Service: 'lambda.amazonaws.com' },
    Action: LAMBDA_PULL_ACTIONS,
    Condition: useOrganization
      ? { StringEquals: { 'aws:SourceOrgID': topology.organizationId! } }
      : { StringEquals: { 'aws:SourceAccount': topology.accounts.map(a => a.id) } },
  });
  return statements;
}
