/**
 * The consuming repository on GitHub. Its coordinates end up in every OIDC
 * trust policy, so they must be exact (GitHub compares the `sub` claim case-sensitively).
 */
export interface GitHubRepositoryOptions {
  /**
   * The user or organization that owns the repository, e.g. `widgetfactory`.
   */
  readonly owner: string;

  /**
   * The repository name, e.g. `weebler`.
   */
  readonly repository: string;

  /**
   * Numeric id of the owner. With `repositoryId` it enables GitHub's immutable OIDC
   * subjects (`repo:owner@id/repository@id:...`), which repositories created after
   * 2026-07-15 send by default.
   *
   * @default - immutable subjects are not accepted
   */
  readonly ownerId?: number;

  /**
   * Numeric id of the repository. When known, stage roles also pin
   * `token.actions.githubusercontent.com:repository_id`.
   *
   * @default - immutable subjects are not accepted
   */
  readonly repositoryId?: number;
}

/**
 * One AWS account of the topology.
 */
export interface AccountOptions {
  /**
   * The 12-digit AWS account id, as a string (leading zeros matter).
   */
  readonly id: string;

  /**
   * The account's default region for stage jobs.
   *
   * @default - the topology's `defaultRegion`
   */
  readonly region?: string;

  /**
   * Whether this is a production account. Production accounts must name their
   * `branches`, refuse pull-request access and require reviewers on their environments.
   *
   * @default false
   */
  readonly production?: boolean;

  /**
   * The git branches allowed to reach this account (pushes to them run its jobs,
   * and its environments only accept deployments from them).
   *
   * @default - any branch (not allowed for production accounts)
   */
  readonly branches?: string[];

  /**
   * Whether the account already has GitHub's OIDC provider
   * (`token.actions.githubusercontent.com`). GitHub allows one provider per URL per
   * account, so an existing one is imported instead of created.
   *
   * @default false
   */
  readonly existingOidcProvider?: boolean;
}

/**
 * Where the ECR repositories live.
 */
export interface RegistryOptions {
  /**
   * The name of the account (a key of `accounts`) that hosts the ECR repositories.
   */
  readonly account: string;

  /**
   * The region of the registry.
   *
   * @default - the registry account's region, else the topology's `defaultRegion`
   */
  readonly region?: string;
}

/**
 * An IAM policy statement as plain data, so it can be stored in the generated topology.
 */
export interface PolicyStatementOptions {
  /**
   * Statement id.
   *
   * @default - none
   */
  readonly sid?: string;

  /**
   * `Allow` or `Deny`.
   *
   * @default "Allow"
   */
  readonly effect?: string;

  /**
   * IAM actions, e.g. `s3:GetObject`.
   *
   * @default - none (then `notActions` must be set)
   */
  readonly actions?: string[];

  /**
   * IAM actions this statement does not apply to.
   *
   * @default - none
   */
  readonly notActions?: string[];

  /**
   * Resource ARNs.
   *
   * @default ["*"]
   */
  readonly resources?: string[];

  /**
   * IAM condition block: operator -> key -> value(s).
   *
   * @default - no conditions
   */
  readonly conditions?: { [operator: string]: any };
}

/**
 * Review rules of a stage's GitHub environments.
 */
export interface ApprovalOptions {
  /**
   * Required reviewers: user logins (`octocat`) or teams (`org/team-slug`).
   * At most 6 (a GitHub limit).
   *
   * @default - none
   */
  readonly reviewers?: string[];

  /**
   * Minutes to wait before a job in the environment may start.
   *
   * @default 0
   */
  readonly waitTimerMinutes?: number;

  /**
   * Whether the person who triggered a run may not approve it.
   *
   * @default true
   */
  readonly preventSelfReview?: boolean;

  /**
   * Whether these rules only apply to the stage's environments in production
   * accounts (deploy to dev runs unattended, deploy to prod waits for review).
   *
   * @default true
   */
  readonly productionOnly?: boolean;
}

/**
 * A stage: a named access profile.
 */
export interface StageOptions {
  /**
   * The accounts (keys of `accounts`) this stage has a role in. A stage with no
   * accounts has no AWS access at all: its jobs run without any AWS credentials.
   *
   * @default - no AWS access
   */
  readonly accounts?: string[];

  /**
   * Image access: `none`, `pull` (read the ECR repositories) or `push`
   * (pull, plus push in the registry account).
   *
   * @default "none"
   */
  readonly images?: string;

  /**
   * Extra statements of the stage's role policy.
   *
   * @default - none
   */
  readonly policyStatements?: PolicyStatementOptions[];

  /**
   * ARNs of managed policies attached to the stage's roles.
   *
   * @default - none
   */
  readonly managedPolicyArns?: string[];

  /**
   * Statements added to the permissions boundary of the accounts this stage runs in,
   * for actions its policy needs that the default boundary does not cover.
   *
   * @default - none
   */
  readonly permissionsBoundaryStatements?: PolicyStatementOptions[];

  /**
   * Whether pull requests may assume this stage's roles (the `pull_request` subject).
   * Refused for stages that reach a production account.
   *
   * @default false
   */
  readonly pullRequests?: boolean;

  /**
   * Review rules for this stage's environments. Production accounts require at least one reviewer.
   *
   * @default - no review
   */
  readonly approval?: ApprovalOptions;

  /**
   * Whether the stage changes the accounts it runs in (deploys). Writing stages and
   * image pushers get a per-account `concurrency` lock so one run at a time changes an account.
   *
   * @default - true for a stage named `deploy`, else false
   */
  readonly writes?: boolean;
}

/**
 * One step of the promotion pipeline.
 */
export interface PipelineStepOptions {
  /**
   * The stage (a key of `stages`) this step runs.
   */
  readonly stage: string;

  /**
   * The accounts this step covers; a subset of the stage's accounts.
   *
   * @default - all of the stage's accounts
   */
  readonly accounts?: string[];
}

/**
 * The stage topology: accounts, registry, image repositories, stages and their order.
 */
export interface TopologyOptions {
  /**
   * AWS accounts by name (a lowercase DNS-style label, e.g. `dev`). With org
   * defaults, the org's accounts are included and these are added to them.
   *
   * @default - the org defaults' accounts (required without org defaults)
   */
  readonly accounts?: { [name: string]: AccountOptions };

  /**
   * The account and region that host the ECR repositories.
   *
   * @default - the org defaults' registry (required without org defaults)
   */
  readonly registry?: RegistryOptions;

  /**
   * ECR repository names, e.g. `widgetfactory/weebler/api`.
   *
   * @default - no image repositories
   */
  readonly repositories?: string[];

  /**
   * Stages by name (a lowercase DNS-style label, e.g. `deploy`). With org defaults,
   * naming a catalogue stage picks it (and extends its policies); leaving this out
   * uses the whole catalogue.
   *
   * @default - the org defaults' stage catalogue (required without org defaults)
   */
  readonly stages?: { [name: string]: StageOptions };

  /**
   * The promotion order, e.g. deploy dev -> e2e dev -> deploy prod.
   *
   * @default - each stage once, in declaration order, over all its accounts
   */
  readonly pipeline?: PipelineStepOptions[];

  /**
   * The region used where an account or the registry names none.
   *
   * @default "us-east-1"
   */
  readonly defaultRegion?: string;

  /**
   * The AWS Organizations id (`o-xxxxxxxxxx`). Registry policies switch to
   * `aws:PrincipalOrgID` when listing every account would exceed ECR's policy size.
   *
   * @default - principals are listed account by account
   */
  readonly organizationId?: string;

  /**
   * The longest role trust policy, in characters, that IAM accepts in your accounts. IAM's
   * default quota is 2,048; after Service Quotas granted more for "Role trust policy length"
   * (up to 8,192) in every account of the topology, set it to the granted value.
   *
   * @default 2048
   */
  readonly trustPolicyMaxLength?: number;
}
