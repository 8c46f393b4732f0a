import { StageTopology } from './model';
import * as naming from './naming';

/**
 * The AWS and GitHub limits that a topology's outputs must stay within, each with the
 * documentation it comes from. Validation checks what it can compute from the topology
 * (nothing is written when one is exceeded); the CDK stacks and the workflow component
 * re-check the rendered result at synthesis, where the app or the project may have added to it.
 */

/**
 * Resources one CloudFormation stack may declare.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Resources", 500)
 */
export const CLOUDFORMATION_MAX_RESOURCES = 500;

/**
 * Bytes of a template body passed through S3, which the CDK CLI does for every template
 * bigger than a request allows. The same page says "1 MB"; aws-cdk-lib warns at
 * 1,000,000 bytes (`TEMPLATE_BODY_MAXIMUM_SIZE`), the stricter reading, used here.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Template body size in an Amazon S3 object")
 */
export const CLOUDFORMATION_MAX_TEMPLATE_BYTES = 1_000_000;

/**
 * Characters of a role trust policy, white space not counted: IAM's default quota. It is
 * adjustable: ask for "Role trust policy length" in Service Quotas (IAM, us-east-1), up
 * to 8,192, then set `topology.trustPolicyMaxLength` to the granted value.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("Role trust policy length")
 */
export const IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH = 2_048;
/** The most that Service Quotas grants for "Role trust policy length" (same page). */
export const IAM_TRUST_POLICY_QUOTA_CEILING = 8_192;

/**
 * Characters of a customer managed policy (the permissions boundary), white space not counted.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("Managed policy size")
 */
export const IAM_MANAGED_POLICY_MAX_LENGTH = 6_144;

/**
 * Characters of all inline policies of one role together, white space not counted.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("Role policy size")
 */
export const IAM_ROLE_INLINE_POLICIES_MAX_LENGTH = 10_240;

/**
 * ECR rejects repository policies longer than this (`SetRepositoryPolicy` policyText).
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html (Maximum length of 10240)
 */
export const ECR_REPOSITORY_POLICY_MAX_LENGTH = 10_240;

/**
 * Jobs one matrix may generate.
 * https://docs.github.com/en/actions/reference/limits ("Job Matrix", 256 jobs / workflow run)
 */
export const GITHUB_MATRIX_MAX_JOBS = 256;

/**
 * Size of a workflow file: GitHub starts no run of a larger one. "500 KB", read as
 * 500,000 bytes, the stricter reading.
 * https://docs.github.com/en/actions/reference/limits ("Workflow file size", 500 KB per file)
 */
export const GITHUB_WORKFLOW_MAX_BYTES = 500_000;

/**
 * `needs` edges in one workflow. GitHub documents no number, but a run whose job graph is
 * too big fails at startup with no message: cdklabs/cdk-pipelines-github#1456 reports 160
 * jobs with about 4,700 edges refused ("an internal database storage limit", per GitHub
 * Support). This budget keeps well below that report; the usual cause of a big graph is a
 * pipeline step whose accounts have different branches (one job per account, and every job
 * of the next step needs every one of them).
 */
export const GITHUB_WORKFLOW_MAX_NEEDS_EDGES = 1_000;

/**
 * Image repositories per registry stack. Each repository is one resource carrying its
 * repository policy (up to ECR's 10,240 characters) and lifecycle policy; 50 of the largest
 * stay under CloudFormation's template size with room to spare, and far under its resource
 * count. Repositories fill the stacks in declaration order: add new ones at the end, since a
 * repository that moves to another stack is removed from one stack and created in the other.
 */
export const REPOSITORIES_PER_REGISTRY_STACK = 50;

/**
 * Registry policies name every account (its root principal, narrowed by `aws:PrincipalArn`
 * to the stage roles) up to this many accounts. Past it, or when the listed policy would
 * not fit in ECR's limit, they trust `aws:PrincipalOrgID` instead, which needs
 * `topology.organizationId`.
 */
export const MAX_LISTED_REGISTRY_ACCOUNTS = 20;
// Upper bound of a listed registry policy without its principal lists (statement ids,
// actions, condition keys); the CDK app re-checks the rendered policy at synthesis.
const REGISTRY_POLICY_FIXED_LENGTH = 2_048;

/**
 * Whether the registry's repository policies must switch from listed accounts and role
 * ARNs to `aws:PrincipalOrgID`. Pure, shared by validation and the CDK app so they agree.
 */
export function registryNeedsOrganization(topology: StageTopology): boolean {
  if (topology.repositories.length === 0) {
    return false;
  }
  if (topology.accounts.length > MAX_LISTED_REGISTRY_ACCOUNTS) {
    return true;
  }
  const pulling = topology.roles.filter(r => r.pull);
  const lists = [
    [...new Set(pulling.map(r => naming.accountRootArn(topology.partition, r.accountId)))],
    pulling.map(r => r.roleArn),
    topology.roles.filter(r => r.push).map(r => r.roleArn),
    topology.accounts.map(a => a.id),
  ];
  return REGISTRY_POLICY_FIXED_LENGTH + JSON.stringify(lists).length > ECR_REPOSITORY_POLICY_MAX_LENGTH;
}

/**
 * The length IAM counts for a policy document: its JSON without white space outside strings.
 */
export function policyLength(document: unknown): number {
  return JSON.stringify(document).length;
}

/** A limit a topology exceeds: the field to change and what to do. */
export interface LimitProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Resources of one account's stage stack: the OIDC provider (unless imported), the
 * boundary, each role, each role's image-access policy, and the CDK metadata resource.
 */
export function accountStackResources(topology: StageTopology, accountName: string): number {
  const account = topology.accounts.find(a => a.name === accountName)!;
  const roles = topology.roles.filter(r => r.account === accountName);
  const imagePolicies = topology.repositories.length > 0 ? roles.filter(r => r.pull || r.push).length : 0;
  return (account.existingOidcProvider ? 0 : 1) + 1 + roles.length + imagePolicies + 1;
}

/** `needs` edges of the workflow: the pipeline's, plus one per later job to the push job for its digests. */
export function workflowNeedsEdges(topology: StageTopology): number {
  const pushStages = new Set(topology.roles.filter(r => r.push).map(r => `${r.stage}/${r.account}`));
  let digestSource: string | undefined;
  let edges = 0;
  for (const job of topology.jobs) {
    edges += job.needs.length + (digestSource && !job.needs.includes(digestSource) ? 1 : 0);
    if (job.accounts.some(a => pushStages.has(`${job.stage}/${a}`))) {
      digestSource = job.id;
    }
  }
  return edges;
}

/**
 * What validation can tell about stack and workflow limits from the topology alone: resources
 * per stage stack, jobs per matrix and `needs` edges. Template and workflow sizes are checked
 * on the rendered files at synthesis.
 */
export function stackAndWorkflowProblems(topology: StageTopology): LimitProblem[] {
  const problems: LimitProblem[] = [];
  for (const account of topology.accounts.filter(a => a.stackId !== undefined)) {
    const resources = accountStackResources(topology, account.name);
    if (resources > CLOUDFORMATION_MAX_RESOURCES) {
      problems.push({
        path: `topology.accounts.${account.name}`,
        message: `its stage stack ${account.stackId} would declare ${resources} resources; CloudFormation allows ${CLOUDFORMATION_MAX_RESOURCES} per stack. Fewer stages may run in this account (topology.stages.<stage>.accounts)`,
      });
    }
  }
  topology.jobs.forEach((job, i) => {
    if (job.accounts.length > GITHUB_MATRIX_MAX_JOBS) {
      problems.push({
        path: 'topology.pipeline',
        message: `job "${job.id}" (step ${i + 1}, stage "${job.stage}") is a matrix over ${job.accounts.length} accounts; GitHub runs at most ${GITHUB_MATRIX_MAX_JOBS} jobs per matrix. Split the step into several pipeline steps of at most ${GITHUB_MATRIX_MAX_JOBS} accounts each`,
      });
    }
  });
  const edges = workflowNeedsEdges(topology);
  if (edges > GITHUB_WORKFLOW_MAX_NEEDS_EDGES) {
    problems.push({
      path: 'topology.pipeline',
      message: `the workflow would have ${topology.jobs.length} jobs with ${edges} "needs" edges; GitHub fails runs whose job graph is too big before any job starts (this project allows ${GITHUB_WORKFLOW_MAX_NEEDS_EDGES} edges). A step whose accounts have different branches becomes one job per account: put accounts with the same branches in their own pipeline steps, so each step is one matrix job`,
    });
  }
  return problems;
}
