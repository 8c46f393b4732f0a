import { WebIdentityToken } from './simulator';
import { StageRoleSpec, StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

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

/** The token as STS evaluates it: GitHub's claims under their condition keys. */
export function webIdentity(token: OidcToken): WebIdentityToken {
  const claims: Record<string, string> = { [naming.CLAIM_SUB]: token.sub, [naming.CLAIM_AUD]: token.aud };
  if (token.repositoryId !== undefined) {
    claims[naming.CLAIM_REPOSITORY_ID] = token.repositoryId;
  }
  return { providerArn: token.providerArn, claims };
}

/** The rows of the access matrix that come from the trust: who may assume the role. */
export const TRUST_ROWS = {
  'environment': 'assume from its environment',
  'immutable': 'assume from its environment, immutable subject',
  'other-environment': 'assume from another stage\'s or account\'s environment',
  'branch': 'assume from a branch, no environment',
  'pull-request': 'assume from a pull request',
  'other-repository': 'assume from another repository',
  'prefix-alike': 'assume from a prefix-alike repository',
  'audience': 'assume with a wrong audience or provider',
} as const;

export type TrustRow = keyof typeof TRUST_ROWS;

/** One token a stage role is simulated against, and whether the topology means it to be accepted. */
export interface TokenCase {
  readonly row: TrustRow;
  readonly description: string;
  readonly token: OidcToken;
  readonly allowed: boolean;
}

/** Every branch the topology names, or `main` when it names none. */
export function topologyBranches(topology: StageTopology): string[] {
  const named = [...new Set(topology.accounts.flatMap(a => a.branches))];
  return named.length > 0 ? named : ['main'];
}

/**
 * The token corpus of one role: its own environment's tokens (allowed) and every near miss
 * that must be denied: every other environment, every branch with no environment, a pull
 * request (unless the stage opted in), another or prefix-alike repository, another owner,
 * a wrong audience, another provider, and a recreated repository's id.
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
    { row: 'environment', description: 'its own environment', token: token(own), allowed: true },
    {
      row: 'other-repository',
      description: 'another repository',
      token: token(naming.environmentSubject({ ...gh, repository: `${gh.repository}-other` }, role.environment)),
      allowed: false,
    },
    {
      row: 'other-repository',
      description: 'another owner',
      token: token(naming.environmentSubject({ ...gh, owner: `${gh.owner}-other` }, role.environment)),
      allowed: false,
    },
    {
      row: 'prefix-alike',
      description: 'a prefix-alike repository',
      token: token(naming.environmentSubject({ ...gh, repository: `${gh.repository}-evil` }, role.environment)),
      allowed: false,
    },
    ...topologyBranches(topology).map((branch): TokenCase => ({
      row: 'branch',
      description: `a branch with no environment (${branch})`,
      token: token(`repo:${gh.fullName}:ref:refs/heads/${branch}`),
      allowed: false,
    })),
    { row: 'pull-request', description: 'a pull request', token: token(naming.pullRequestSubject(gh)), allowed: stage.pullRequests },
    { row: 'audience', description: 'a wrong audience', token: token(own, { aud: `https://github.com/${gh.owner}` }), allowed: false },
    {
      row: 'audience',
      description: 'another provider',
      token: token(own, { providerArn: `arn:${topology.partition}:iam::${role.accountId}:oidc-provider/gitlab.com` }),
      allowed: false,
    },
  ];
  for (const other of topology.roles) {
    if (other.environment !== role.environment) {
      const description = other.stage === role.stage
        ? `another account's environment (${other.environment})`
        : `another stage's environment (${other.environment})`;
      cases.push({ row: 'other-environment', description, token: token(naming.environmentSubject(gh, other.environment)), allowed: false });
    }
  }
  const immutable = naming.immutableEnvironmentSubject(gh, role.environment);
  if (immutable) {
    cases.push({ row: 'immutable', description: 'its own environment, immutable subject', token: token(immutable), allowed: true });
    cases.push({
      row: 'other-repository',
      description: 'a recreated repository with the same name',
      token: token(own, { repositoryId: String(Number(repositoryId) + 1) }),
      allowed: false,
    });
    const immutablePr = naming.immutablePullRequestSubject(gh)!;
    cases.push({ row: 'pull-request', description: 'a pull request, immutable subject', token: token(immutablePr), allowed: stage.pullRequests });
  }
  return cases;
}
