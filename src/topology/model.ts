/**
 * The normalised topology: every default resolved and every name derived.
 * It is plain JSON (written to `src/stage/topology.generated.json` in consuming
 * repositories) and the single input of the CDK app, the workflow, the composite
 * action and the repository settings.
 */
export interface StageTopology {
  /** Version of this document's shape. */
  readonly schemaVersion: number;
  /** The consuming repository. */
  readonly github: GitHubRepositorySpec;
  /** The AWS partition all accounts live in (`aws`, `aws-us-gov`, `aws-cn`, ...). */
  readonly partition: string;
  /** The region used where nothing else is named. */
  readonly defaultRegion: string;
  /** The AWS Organizations id, when given. */
  readonly organizationId?: string;
  /** The registry account and region. */
  readonly registry: RegistrySpec;
  /** The accounts, in declaration order. */
  readonly accounts: AccountSpec[];
  /** The ECR repositories. */
  readonly repositories: ImageRepositorySpec[];
  /** The stages, in declaration order. */
  readonly stages: StageSpec[];
  /** One entry per (stage, account) that has an IAM role. */
  readonly roles: StageRoleSpec[];
  /** The pipeline's jobs in order. */
  readonly jobs: PipelineJobSpec[];
  /** Subject claim settings shared by the trust policies and the repository's OIDC settings. */
  readonly oidc: OidcSubjectSpec;
}

/** The consuming repository, as the trust policies see it. */
export interface GitHubRepositorySpec {
  /** Owner login. */
  readonly owner: string;
  /** Repository name. */
  readonly repository: string;
  /** `owner/repository`. */
  readonly fullName: string;
  /** Owner id, when known. */
  readonly ownerId?: number;
  /** Repository id, when known. */
  readonly repositoryId?: number;
}

/** How the `sub` claim is shaped. */
export interface OidcSubjectSpec {
  /** GitHub's OIDC issuer host, also the provider URL's host. */
  readonly issuer: string;
  /** The audience every trust policy pins. */
  readonly audience: string;
  /** Whether the repository keeps GitHub's default claim template (`repo:...:environment:...`). */
  readonly useDefault: boolean;
  /** Claim keys of a custom template (empty with the default). */
  readonly includeClaimKeys: string[];
  /** Whether the immutable form (`repo:owner@id/repo@id:...`) is accepted, i.e. both ids are known. */
  readonly acceptsImmutableSubjects: boolean;
}

/** The registry account. */
export interface RegistrySpec {
  /** Account name. */
  readonly account: string;
  /** Account id. */
  readonly accountId: string;
  /** Region. */
  readonly region: string;
  /** Registry host, `<id>.dkr.ecr.<region>.<domain>`. */
  readonly uri: string;
  /** Construct id (and stack name) of the (first) registry stack. */
  readonly stackId: string;
  /**
   * The registry stacks and the repositories each one holds, in declaration order: one
   * stack up to `REPOSITORIES_PER_REGISTRY_STACK` repositories, then more (empty when
   * there are no repositories).
   */
  readonly stacks: RegistryStackSpec[];
}

/** One registry stack. */
export interface RegistryStackSpec {
  /** Construct id (and stack name). */
  readonly stackId: string;
  /** Names of the ECR repositories it holds. */
  readonly repositories: string[];
}

/** A normalised account. */
export interface AccountSpec {
  /** Name. */
  readonly name: string;
  /** 12-digit id. */
  readonly id: string;
  /** Region. */
  readonly region: string;
  /** Production flag. */
  readonly production: boolean;
  /** Branches allowed to reach it (empty means any branch). */
  readonly branches: string[];
  /** Whether the GitHub OIDC provider is imported rather than created. */
  readonly existingOidcProvider: boolean;
  /** ARN of the GitHub OIDC provider in this account. */
  readonly oidcProviderArn: string;
  /** Name of this repository's permissions boundary in this account. */
  readonly boundaryPolicyName: string;
  /** ARN of that boundary. */
  readonly boundaryPolicyArn: string;
  /** Construct id (and stack name) of the account's stage stack; set only when the account has roles. */
  readonly stackId?: string;
}

/** An ECR repository. */
export interface ImageRepositorySpec {
  /** Repository name. */
  readonly name: string;
  /** Repository ARN. */
  readonly arn: string;
  /** Image URI without tag or digest. */
  readonly uri: string;
}

/** A normalised IAM statement. */
export interface StatementSpec {
  /** Statement id. */
  readonly sid?: string;
  /** `Allow` or `Deny`. */
  readonly effect: string;
  /** Actions. */
  readonly actions?: string[];
  /** Not-actions. */
  readonly notActions?: string[];
  /** Resources. */
  readonly resources: string[];
  /** Conditions. */
  readonly conditions?: { [operator: string]: any };
}

/** Review rules, resolved. */
export interface ApprovalSpec {
  /** Reviewers (`login` or `org/team`). */
  readonly reviewers: string[];
  /** Wait timer in minutes. */
  readonly waitTimerMinutes: number;
  /** Prevent self review. */
  readonly preventSelfReview: boolean;
  /** Whether the rules only apply to production accounts' environments. */
  readonly productionOnly: boolean;
}

/** A normalised stage. */
export interface StageSpec {
  /** Name. */
  readonly name: string;
  /** Accounts it has a role in (empty: no AWS access). */
  readonly accounts: string[];
  /** `none`, `pull` or `push`. */
  readonly images: string;
  /** Extra policy statements. */
  readonly policyStatements: StatementSpec[];
  /** Managed policies. */
  readonly managedPolicyArns: string[];
  /** Boundary additions. */
  readonly permissionsBoundaryStatements: StatementSpec[];
  /** Whether pull requests may assume its roles. */
  readonly pullRequests: boolean;
  /** Review rules, if any. */
  readonly approval?: ApprovalSpec;
  /** Whether it changes the accounts it runs in. */
  readonly writes: boolean;
  /** The projen task the stage's jobs run. */
  readonly task: string;
}

/** The IAM role of one (stage, account). */
export interface StageRoleSpec {
  /** Stage name. */
  readonly stage: string;
  /** Account name. */
  readonly account: string;
  /** Account id. */
  readonly accountId: string;
  /** The account's region (the default for the composite action). */
  readonly region: string;
  /** Role name. */
  readonly roleName: string;
  /** Role path. */
  readonly rolePath: string;
  /** Role ARN. */
  readonly roleArn: string;
  /** The GitHub environment its jobs run in. */
  readonly environment: string;
  /** Every `sub` value the trust accepts. */
  readonly subjects: string[];
  /** Whether this role may pull images. */
  readonly pull: boolean;
  /** Whether this role may push images (registry account, push stage). */
  readonly push: boolean;
  /** Required reviewers of the environment (empty: no review). */
  readonly reviewers: string[];
  /** Wait timer of the environment. */
  readonly waitTimerMinutes: number;
  /** Prevent self review on the environment. */
  readonly preventSelfReview: boolean;
  /** Branches allowed to deploy to the environment (empty: any). */
  readonly branches: string[];
  /** The concurrency group that serialises writes to this account, if the stage writes. */
  readonly concurrencyGroup?: string;
}

/** One job of the pipeline. */
export interface PipelineJobSpec {
  /** Job id in the workflow. */
  readonly id: string;
  /** Stage. */
  readonly stage: string;
  /** Accounts (several: a matrix job; none: no AWS access). */
  readonly accounts: string[];
  /** Job ids this job needs. */
  readonly needs: string[];
}
