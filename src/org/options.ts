import { AccountOptions, PolicyStatementOptions, RegistryOptions, StageOptions } from '../topology/options';

/**
 * What a platform team sets once for every repository of the org: the account map,
 * the registry, the organization id, boundary statements, the stage catalogue and the
 * production reviewers. Published inside the org's build of this package, merged
 * under each repository's own `topology`.
 */
export interface OrgDefaults {
  /**
   * The org's AWS accounts. Repositories may use them by name but may not change an
   * account's `id` or `production` flag.
   *
   * @default - none
   */
  readonly accounts?: { [name: string]: AccountOptions };

  /**
   * The account and region hosting the org's ECR repositories.
   *
   * @default - none: each repository names its registry
   */
  readonly registry?: RegistryOptions;

  /**
   * The AWS Organizations id.
   *
   * @default - none
   */
  readonly organizationId?: string;

  /**
   * The default region.
   *
   * @default - the repository's, else us-east-1
   */
  readonly defaultRegion?: string;

  /**
   * Statements added to the permissions boundary of every stage role in every repository.
   *
   * @default - none
   */
  readonly boundaryStatements?: PolicyStatementOptions[];

  /**
   * The stage catalogue: named stages with their accounts, policies and image access.
   * A repository uses all of them unless it lists the ones it wants in `topology.stages`,
   * where it may also extend a stage's policy.
   *
   * @default - none
   */
  readonly stages?: { [name: string]: StageOptions };

  /**
   * Reviewers every stage that reaches a production account requires, in every repository.
   *
   * @default - none
   */
  readonly productionReviewers?: string[];
}
