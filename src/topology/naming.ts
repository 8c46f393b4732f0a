/**
 * Every name that live infrastructure depends on is computed here and nowhere else.
 * Role names, role paths, environment names and stack ids are public contract: a
 * change here renames live resources (CDK would replace the roles), so it needs a
 * changelog entry and a migration path.
 */

/** GitHub's OIDC issuer; also the host of the IAM OIDC provider URL. */
export const OIDC_ISSUER = 'token.actions.githubusercontent.com';
/** The only audience a stage role accepts. */
export const OIDC_AUDIENCE = 'sts.amazonaws.com';

/** IAM role names are limited to 64 characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "Role name"). */
export const MAX_ROLE_NAME = 64;
/** GitHub environment names are limited to 255 characters. */
export const MAX_ENVIRONMENT_NAME = 255;

export interface RepositoryRef {
  readonly owner: string;
  readonly repository: string;
  readonly ownerId?: number;
  readonly repositoryId?: number;
}

/** `widgetfactory/weebler`. */
export function fullName(repo: RepositoryRef): string {
  return `${repo.owner}/${repo.repository}`;
}

/** A repository name reduced to what CloudFormation stack names and construct ids accept. */
function stackSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, '-');
}

/**
 * Stack id (and stack name) of a registry stack. The first keeps the name it had before
 * registries were split; the ones after it are numbered from 2.
 *
 * @param part which registry stack, from 0
 */
export function registryStackId(repo: RepositoryRef, part = 0): string {
  return `stage-${stackSafe(repo.repository)}-registry${part === 0 ? '' : `-${part + 1}`}`;
}

/** Stack id (and stack name) of an account's stage stack. */
export function accountStackId(repo: RepositoryRef, account: string): string {
  return `stage-${stackSafe(repo.repository)}-roles-${account}`;
}

/** Name of the IAM role of one (stage, account). The account is in the ARN, not the name. */
export function roleName(repo: RepositoryRef, stage: string): string {
  return `${repo.repository}-${stage}`;
}

/** Path of every stage role of this repository. */
export function rolePath(repo: RepositoryRef): string {
  return `/stage-project/${repo.repository}/`;
}

export function roleArn(partition: string, accountId: string, repo: RepositoryRef, stage: string): string {
  return `arn:${partition}:iam::${accountId}:role${rolePath(repo)}${roleName(repo, stage)}`;
}

/** The GitHub environment of one (stage, account): its name is in the OIDC `sub` claim. */
export function environmentName(stage: string, account: string): string {
  return `${stage}-${account}`;
}

/** Name of the permissions boundary of this repository's stage roles in one account. */
export function boundaryPolicyName(repo: RepositoryRef): string {
  return `${repo.repository}-stage-boundary`;
}

export function boundaryPolicyArn(partition: string, accountId: string, repo: RepositoryRef): string {
  return `arn:${partition}:iam::${accountId}:policy${rolePath(repo)}${boundaryPolicyName(repo)}`;
}

export function oidcProviderArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${OIDC_ISSUER}`;
}

export function ecrRepositoryArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:ecr:${region}:${accountId}:repository/${name}`;
}

export function registryHost(accountId: string, region: string, domainSuffix: string): string {
  return `${accountId}.dkr.ecr.${region}.${domainSuffix}`;
}

/** The `sub` of a job running in `environment`, in GitHub's default template. */
export function environmentSubject(repo: RepositoryRef, environment: string): string {
  return `repo:${fullName(repo)}:environment:${environment}`;
}

/** The same subject in GitHub's immutable form, or undefined when the ids are unknown. */
export function immutableEnvironmentSubject(repo: RepositoryRef, environment: string): string | undefined {
  const prefix = immutablePrefix(repo);
  return prefix ? `${prefix}:environment:${environment}` : undefined;
}

/** The `sub` of a pull-request run, in the default template. */
export function pullRequestSubject(repo: RepositoryRef): string {
  return `repo:${fullName(repo)}:pull_request`;
}

export function immutablePullRequestSubject(repo: RepositoryRef): string | undefined {
  const prefix = immutablePrefix(repo);
  return prefix ? `${prefix}:pull_request` : undefined;
}

function immutablePrefix(repo: RepositoryRef): string | undefined {
  if (repo.ownerId === undefined || repo.repositoryId === undefined) {
    return undefined;
  }
  return `repo:${repo.owner}@${repo.ownerId}/${repo.repository}@${repo.repositoryId}`;
}

/** The projen task a stage's jobs run. */
export function stageTaskName(stage: string): string {
  return `stage:${stage}`;
}

/**
 * AWS caps role session names at 64 characters of `[\w+=,.@-]`
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html, RoleSessionName);
 * the composite action cuts `<repository>-<run id>-<stage>` to it at run time.
 */
export const MAX_ROLE_SESSION_NAME = 64;

/**
 * Output the push stage's task writes to `$GITHUB_OUTPUT`: a JSON object from each image
 * repository name to the `sha256:` digest it pushed. It is also the push job's output.
 * Digests, not image URIs: a job output that contains a masked value (the account id in a
 * registry host) is dropped by the runner.
 */
export const IMAGE_DIGESTS_OUTPUT = 'image-digests';

/** Environment variables the stage workflow gives each stage task. */
export const STAGE_TASK_ENV = {
  /** The stage being run. */
  stage: 'STAGE_NAME',
  /** The account the job runs in (empty for stages without AWS access). */
  account: 'STAGE_ACCOUNT',
  /** The registry host, for stages with image access. */
  registry: 'STAGE_REGISTRY',
  /** The push job's `image-digests` output, for every job after it. */
  imageDigests: 'STAGE_IMAGE_DIGESTS',
} as const;

/**
 * Job id of one pipeline step. A stage that appears once keeps its own name; a stage
 * that appears several times, or a step split per account, names its accounts.
 */
export function jobId(stage: string, accounts: string[], qualify: boolean): string {
  if (!qualify || accounts.length === 0) {
    return stage;
  }
  return `${stage}-${accounts.join('-')}`;
}

/** The concurrency group that lets one run at a time change `account` through `stage`. */
export function concurrencyGroup(repo: RepositoryRef, stage: string, account: string): string {
  return `${repo.repository}-${stage}-${account}`;
}

/** Prefix of the role session name; the action appends the run id and stage at run time. */
export function sessionNamePrefix(repo: RepositoryRef): string {
  return repo.repository.replace(/[^\w+=,.@-]/g, '-');
}

/**
 * Construct ids inside the stage and registry stacks. CloudFormation logical ids derive
 * from them, so renaming one makes CloudFormation create a replacement resource with the
 * same physical name, which fails for roles, policies and repositories.
 */
export const OIDC_PROVIDER_CONSTRUCT_ID = 'GitHubOidcProvider';
export const BOUNDARY_CONSTRUCT_ID = 'StageBoundary';

export function stageRoleConstructId(stage: string): string {
  return `StageRole-${stage}`;
}

/** ECR names may contain "/", which construct ids may not; ":" never occurs in ECR names, so ids stay unique. */
export function imageRepositoryConstructId(name: string): string {
  return `Repository-${name.replace(/\//g, ':')}`;
}

/** Root principal of an account, as resource policies name it. */
export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** A stage's role in any account, for policies that cannot list accounts (`aws:PrincipalOrgID` mode). */
export function roleArnInAnyAccount(partition: string, repo: RepositoryRef, stage: string): string {
  return `arn:${partition}:iam::*:role${rolePath(repo)}${roleName(repo, stage)}`;
}

/** Every role under this repository's role path in one account. */
export function repositoryRolesArnPattern(partition: string, accountId: string, repo: RepositoryRef): string {
  return `arn:${partition}:iam::${accountId}:role${rolePath(repo)}*`;
}

/** Condition keys of GitHub's OIDC claims, as AWS STS exposes them. */
export const CLAIM_AUD = `${OIDC_ISSUER}:aud`;
export const CLAIM_SUB = `${OIDC_ISSUER}:sub`;
export const CLAIM_REPOSITORY_ID = `${OIDC_ISSUER}:repository_id`;

/** Tag keys carried by every stage role, for audit and tag-based authorization. */
export const TAG_REPOSITORY = 'StageProject:Repository';
export const TAG_STAGE = 'StageProject:Stage';
export const TAG_ACCOUNT = 'StageProject:Account';

/** Paths of the files the project type writes into consuming repositories. */
export const FILES = {
  topology: 'src/stage/topology.generated.json',
  workflow: '.github/workflows/stages.yml',
  action: '.github/actions/stages/action.yaml',
  settings: '.github/stage-settings.json',
  contract: '.github/stage-contract.json',
  access: 'docs/ACCESS.md',
  upgradeReport: '.github/stage-upgrade-report.md',
} as const;

/** The composite action as a step's `uses:` names it: from the repository root, without the file name. */
export const STAGES_ACTION_USES = './.github/actions/stages';

/** The topic that marks a repository as a stage-project consumer, so org-wide tooling can find it. */
export const CONSUMER_TOPIC = 'stage-project';

/** Environment variables a stage job reads: the role to assume and where. */
export const ENVIRONMENT_VARIABLES = {
  roleArn: 'AWS_ROLE_ARN',
  region: 'AWS_REGION',
  accountId: 'AWS_ACCOUNT_ID',
} as const;
