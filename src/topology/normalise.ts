import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH, IAM_TRUST_POLICY_QUOTA_CEILING, REPOSITORIES_PER_REGISTRY_STACK,
  ECR_REPOSITORY_POLICY_MAX_LENGTH, MAX_LISTED_REGISTRY_ACCOUNTS, registryNeedsOrganization, stackAndWorkflowProblems,
} from './limits';
import {
  ApprovalSpec, AccountSpec, ImageRepositorySpec, PipelineJobSpec, RegistryStackSpec, StageRoleSpec, StageSpec, StageTopology, StatementSpec,
} from './model';
import * as naming from './naming';
import {
  AccountOptions, GitHubRepositoryOptions, PipelineStepOptions, PolicyStatementOptions, StageOptions, TopologyOptions,
} from './options';
import { policyLimitProblems } from '../cdk/policy-limits';

export { ECR_REPOSITORY_POLICY_MAX_LENGTH, MAX_LISTED_REGISTRY_ACCOUNTS, registryNeedsOrganization } from './limits';

/** One problem of a topology: the field it is about and what to do. */
export interface TopologyProblem {
  /** Field path, e.g. `topology.stages.deploy.accounts[1]`. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Thrown when a topology has problems; lists all of them. */
export class TopologyError extends Error {
  constructor(public readonly problems: TopologyProblem[]) {
    super(formatProblems(problems));
    this.name = 'TopologyError';
    // The message is the whole story; a stack trace would bury it.
    this.stack = this.message;
  }
}

export function formatProblems(problems: TopologyProblem[]): string {
  const plural = problems.length === 1 ? 'problem' : 'problems';
  return [
    `stage-project: the topology has ${problems.length} ${plural}; nothing was written:`,
    ...problems.map(p => `  ${p.path}: ${p.message}`),
  ].join('\n');
}

export interface NormaliseResult {
  readonly topology?: StageTopology;
  readonly problems: TopologyProblem[];
}

export const SCHEMA_VERSION = 1;
export const DEFAULT_REGION = 'us-east-1';
export const IMAGE_ACCESS = ['none', 'pull', 'push'];
/** GitHub allows at most 6 required reviewers per environment. */
export const MAX_REVIEWERS = 6;
/** GitHub's environment wait timer is at most 43,200 minutes (30 days). */
export const MAX_WAIT_TIMER = 43_200;

const LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
// GitHub: alphanumerics and single hyphens, at most 39 characters, no leading or trailing hyphen.
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
// ECR: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
const ECR_REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const BRANCH = /^(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._\/-]+(?<!\/)(?<!\.lock)(?<!\.)$/;
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const MANAGED_POLICY_ARN = /^arn:[a-z-]+:iam::(aws|\d{12}):policy\/[\w+=,.@\/-]+$/;
const REVIEWER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9._-]+)?$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

function regionInfo(name: string): RegionInfo | undefined {
  return RegionInfo.regions.find(r => r.name === name);
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggestion(value: string, candidates: string[]): string {
  const best = candidates
    .map(c => ({ c, d: distance(value, c) }))
    .filter(x => x.d <= Math.max(2, Math.floor(value.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return best ? `; did you mean "${best.c}"?` : '';
}

function unknownMessage(kind: string, value: unknown, known: string[]): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  const hint = typeof value === 'string' ? suggestion(value, known) : '';
  return `unknown ${kind} ${text} (known: ${known.join(', ') || 'none'})${hint}`;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Collector {
  public readonly problems: TopologyProblem[] = [];
  add(path: string, message: string) {
    this.problems.push({ path, message });
  }
  /** Reports fields that no option declares: a typo would otherwise be silently ignored. */
  unknownKeys(path: string, value: Record<string, any>, allowed: string[]) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.add(`${path}.${key}`, `unknown field${suggestion(key, allowed) || ` (allowed: ${allowed.join(', ')})`}`);
      }
    }
  }
  stringArray(path: string, value: unknown): string[] | undefined {
    if (value === undefined) {
      return undefined;
    }
    if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
      this.add(path, `must be a list of strings, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }
  boolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) {
      return fallback;
    }
    if (typeof value !== 'boolean') {
      this.add(path, `must be true or false, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }
  label(path: string, kind: string, name: string) {
    if (!LABEL.test(name)) {
      this.add(path, `${kind} name "${name}" must be a lowercase DNS-style label: a-z, 0-9 and "-", starting with a letter, at most 63 characters (e.g. "${name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '') || kind}")`);
    }
  }
  region(path: string, value: unknown) {
    if (typeof value !== 'string' || !regionInfo(value)) {
      const known = RegionInfo.regions.map(r => r.name);
      const hint = typeof value === 'string' ? suggestion(value, known) : '';
      this.add(path, `unknown region ${JSON.stringify(value)} (use an AWS region code such as us-east-1 or eu-west-1)${hint}`);
    }
  }
}

const TOPOLOGY_FIELDS = ['accounts', 'registry', 'repositories', 'stages', 'pipeline', 'defaultRegion', 'organizationId', 'trustPolicyMaxLength'];
const ACCOUNT_FIELDS = ['id', 'region', 'production', 'branches', 'existingOidcProvider'];
const STAGE_FIELDS = ['accounts', 'images', 'policyStatements', 'managedPolicyArns', 'permissionsBoundaryStatements', 'pullRequests', 'approval', 'writes'];
const STATEMENT_FIELDS = ['sid', 'effect', 'actions', 'notActions', 'resources', 'conditions'];
const APPROVAL_FIELDS = ['reviewers', 'waitTimerMinutes', 'preventSelfReview', 'productionOnly'];
const GITHUB_FIELDS = ['owner', 'repository', 'ownerId', 'repositoryId'];

/**
 * Validates and normalises a topology. Pure: no I/O. Collects every problem
 * instead of stopping at the first, so one run of `npx projen` shows them all.
 *
 * @param githubPath the option path the repository coordinates came from, for messages
 */
export function normaliseTopology(
  github: GitHubRepositoryOptions,
  topology: TopologyOptions,
  githubPath = 'githubRepository',
): NormaliseResult {
  const c = new Collector();

  // --- repository coordinates
  if (!isObject(github)) {
    c.add(githubPath, 'missing: set githubRepository: { owner: "my-org", repository: "my-repo" }');
  } else {
    c.unknownKeys(githubPath, github, GITHUB_FIELDS);
    if (typeof github.owner !== 'string' || !GITHUB_OWNER.test(github.owner)) {
      c.add(`${githubPath}.owner`, `invalid GitHub owner ${JSON.stringify(github.owner)} (letters, digits and single hyphens, at most 39 characters, e.g. "widgetfactory")`);
    }
    if (typeof github.repository !== 'string' || !GITHUB_REPOSITORY.test(github.repository) || github.repository === '.' || github.repository === '..') {
      c.add(`${githubPath}.repository`, `invalid GitHub repository name ${JSON.stringify(github.repository)} (letters, digits, ".", "-" and "_", at most 100 characters)`);
    }
    for (const key of ['ownerId', 'repositoryId'] as const) {
      const v = github[key];
      if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) {
        c.add(`${githubPath}.${key}`, `must be GitHub's positive numeric id, got ${JSON.stringify(v)} (gh api repos/OWNER/REPO --jq '.owner.id, .id')`);
      }
    }
    if ((github.ownerId === undefined) !== (github.repositoryId === undefined)) {
      const missing = github.ownerId === undefined ? 'ownerId' : 'repositoryId';
      c.add(`${githubPath}.${missing}`, 'immutable OIDC subjects need both ownerId and repositoryId (set both, or neither)');
    }
  }

  if (!isObject(topology)) {
    c.add('topology', 'missing: declare accounts, registry and stages');
    return { problems: c.problems };
  }
  c.unknownKeys('topology', topology, TOPOLOGY_FIELDS);

  const defaultRegion = topology.defaultRegion ?? DEFAULT_REGION;
  if (topology.defaultRegion !== undefined) {
    c.region('topology.defaultRegion', topology.defaultRegion);
  }
  if (topology.organizationId !== undefined && (typeof topology.organizationId !== 'string' || !ORGANIZATION_ID.test(topology.organizationId))) {
    c.add('topology.organizationId', `invalid AWS Organizations id ${JSON.stringify(topology.organizationId)} (it looks like "o-a1b2c3d4e5"; aws organizations describe-organization)`);
  }

  const trustPolicyMaxLength = topology.trustPolicyMaxLength ?? IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH;
  const quotaRange = trustPolicyMaxLength >= IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH && trustPolicyMaxLength <= IAM_TRUST_POLICY_QUOTA_CEILING;
  if (!Number.isInteger(trustPolicyMaxLength) || !quotaRange) {
    c.add('topology.trustPolicyMaxLength', `must be the "Role trust policy length" quota of your accounts, a whole number from ${IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH} (IAM's default) to ${IAM_TRUST_POLICY_QUOTA_CEILING}, got ${JSON.stringify(topology.trustPolicyMaxLength)}`);
  }

  // --- accounts
  const accountsIn: Record<string, AccountOptions> = isObject(topology.accounts) ? topology.accounts : {};
  const accountNames = Object.keys(accountsIn);
  if (!isObject(topology.accounts) || accountNames.length === 0) {
    c.add('topology.accounts', 'no accounts: declare at least one, e.g. accounts: { dev: { id: "111111111111" } }');
  }
  const idOwner = new Map<string, string>();
  for (const name of accountNames) {
    const path = `topology.accounts.${name}`;
    const account = accountsIn[name];
    c.label(path, 'account', name);
    if (!isObject(account)) {
      c.add(path, 'must be an object such as { id: "111111111111" }');
      continue;
    }
    c.unknownKeys(path, account, ACCOUNT_FIELDS);
    if (typeof account.id !== 'string' || !/^\d{12}$/.test(account.id)) {
      const fix = typeof account.id === 'number' ? ' (write it as a quoted string so leading zeros survive)' : '';
      c.add(`${path}.id`, `AWS account id must be exactly 12 digits, got ${JSON.stringify(account.id)}${fix}`);
    } else if (idOwner.has(account.id)) {
      c.add(`${path}.id`, `account id ${account.id} is already used by account "${idOwner.get(account.id)}" (each account name needs its own id)`);
    } else {
      idOwner.set(account.id, name);
    }
    if (account.region !== undefined) {
      c.region(`${path}.region`, account.region);
    }
    const production = c.boolean(`${path}.production`, account.production, false);
    const branches = c.stringArray(`${path}.branches`, account.branches);
    (branches ?? []).forEach((b, i) => {
      if (!BRANCH.test(b)) {
        c.add(`${path}.branches[${i}]`, `invalid branch name ${JSON.stringify(b)} (an exact branch name such as "main" or "release/v2"; patterns are not supported)`);
      }
    });
    if (branches && new Set(branches).size !== branches.length) {
      c.add(`${path}.branches`, 'lists a branch twice');
    }
    if (production && (!branches || branches.length === 0)) {
      c.add(`${path}.branches`, `production account "${name}" must list the branches allowed to reach it, e.g. branches: ["main"]`);
    }
    c.boolean(`${path}.existingOidcProvider`, account.existingOidcProvider, false);
  }
  const accountRegion = (name: string) => accountsIn[name]?.region ?? defaultRegion;

  // --- registry
  let registryAccount: string | undefined;
  let registryRegion = defaultRegion;
  if (!isObject(topology.registry)) {
    c.add('topology.registry', `missing: name the account that hosts the ECR repositories, e.g. registry: { account: "${accountNames[0] ?? 'tools'}" }`);
  } else {
    c.unknownKeys('topology.registry', topology.registry, ['account', 'region']);
    if (!accountNames.includes(topology.registry.account)) {
      c.add('topology.registry.account', unknownMessage('account', topology.registry.account, accountNames));
    } else {
      registryAccount = topology.registry.account;
    }
    if (topology.registry.region !== undefined) {
      c.region('topology.registry.region', topology.registry.region);
    }
    registryRegion = topology.registry.region ?? (registryAccount ? accountRegion(registryAccount) : defaultRegion);
  }

  // --- partition: trust and registry policies cannot cross partitions
  const partitionOf = (region: string) => regionInfo(region)?.partition;
  const partition = partitionOf(defaultRegion) ?? 'aws';
  const regionsToCheck: Array<[string, string | undefined]> = [
    ['topology.registry.region', registryRegion],
    ...accountNames.map(n => [`topology.accounts.${n}.region`, accountRegion(n)] as [string, string]),
  ];
  for (const [path, region] of regionsToCheck) {
    const p = region ? partitionOf(region) : undefined;
    if (p && p !== partition) {
      c.add(path, `region "${region}" is in partition ${p} but the topology is in ${partition} (from defaultRegion "${defaultRegion}"); all accounts must share one partition`);
    }
  }

  // --- repositories
  const repositoriesIn = c.stringArray('topology.repositories', topology.repositories) ?? [];
  const seenRepositories = new Set<string>();
  repositoriesIn.forEach((name, i) => {
    const path = `topology.repositories[${i}]`;
    if (name.length < 2 || name.length > 256 || !ECR_REPOSITORY.test(name)) {
      c.add(path, `invalid ECR repository name ${JSON.stringify(name)} (lowercase letters, digits, ".", "_", "-" and "/" between path parts, 2 to 256 characters, e.g. "widgetfactory/weebler/api")`);
    }
    if (seenRepositories.has(name)) {
      c.add(path, `repository "${name}" is listed twice`);
    }
    seenRepositories.add(name);
  });

  // --- stages
  const stagesIn: Record<string, StageOptions> = isObject(topology.stages) ? topology.stages : {};
  const stageNames = Object.keys(stagesIn);
  if (!isObject(topology.stages) || stageNames.length === 0) {
    c.add('topology.stages', 'no stages: declare at least one, e.g. stages: { unit: {}, deploy: { accounts: ["dev"] } }');
  }
  const repo = isObject(github) ? github : { owner: '', repository: '' };
  const stageAccounts: Record<string, string[]> = {};
  const stageSpecs: StageSpec[] = [];
  for (const name of stageNames) {
    const path = `topology.stages.${name}`;
    const stage = stagesIn[name];
    c.label(path, 'stage', name);
    if (!isObject(stage)) {
      c.add(path, 'must be an object such as { accounts: ["dev"] }');
      continue;
    }
    c.unknownKeys(path, stage, STAGE_FIELDS);
    const accounts = c.stringArray(`${path}.accounts`, stage.accounts) ?? [];
    accounts.forEach((a, i) => {
      if (!accountNames.includes(a)) {
        c.add(`${path}.accounts[${i}]`, unknownMessage('account', a, accountNames));
      } else if (accounts.indexOf(a) !== i) {
        c.add(`${path}.accounts[${i}]`, `account "${a}" is listed twice`);
      }
    });
    stageAccounts[name] = accounts;
    const production = accounts.filter(a => accountsIn[a]?.production === true);

    const images = stage.images ?? 'none';
    if (!IMAGE_ACCESS.includes(images)) {
      c.add(`${path}.images`, `image access must be one of ${IMAGE_ACCESS.map(x => `"${x}"`).join(', ')}, got ${JSON.stringify(images)}`);
    } else if (images !== 'none') {
      if (repositoriesIn.length === 0) {
        c.add(`${path}.images`, `stage has "${images}" image access but topology.repositories is empty (add a repository, or set images: "none")`);
      }
      if (accounts.length === 0) {
        c.add(`${path}.images`, `"${images}" image access needs AWS credentials, but the stage has no accounts (add accounts, or set images: "none")`);
      } else if (images === 'push' && registryAccount && !accounts.includes(registryAccount)) {
        c.add(`${path}.images`, `"push" image access needs a role in the registry account "${registryAccount}" (add "${registryAccount}" to ${path}.accounts, or use images: "pull")`);
      }
    }

    const pullRequests = c.boolean(`${path}.pullRequests`, stage.pullRequests, false);
    if (pullRequests && production.length > 0) {
      c.add(`${path}.pullRequests`, `pull requests may not assume roles in production account${production.length > 1 ? 's' : ''} ${production.map(p => `"${p}"`).join(', ')} (remove pullRequests, or split the production account into another stage)`);
    }
    const policyStatements = statements(c, `${path}.policyStatements`, stage.policyStatements);
    const permissionsBoundaryStatements = statements(c, `${path}.permissionsBoundaryStatements`, stage.permissionsBoundaryStatements);
    const managedPolicyArns = c.stringArray(`${path}.managedPolicyArns`, stage.managedPolicyArns) ?? [];
    managedPolicyArns.forEach((arn, i) => {
      if (!MANAGED_POLICY_ARN.test(arn)) {
        c.add(`${path}.managedPolicyArns[${i}]`, `invalid managed policy ARN ${JSON.stringify(arn)} (e.g. "arn:aws:iam::aws:policy/ReadOnlyAccess")`);
      }
    });

    const approval = approvalOf(c, `${path}.approval`, stage.approval);
    if (approval && accounts.length === 0) {
      c.add(`${path}.approval`, 'a stage without accounts runs in no environment, so there is nothing to approve (remove approval, or add accounts)');
    }
    if (production.length > 0 && (!approval || approval.reviewers.length === 0)) {
      c.add(`${path}.approval.reviewers`, `stage reaches production account${production.length > 1 ? 's' : ''} ${production.map(p => `"${p}"`).join(', ')}, which require at least one reviewer (add approval: { reviewers: ["my-org/platform-team"] })`);
    }
    const writes = c.boolean(`${path}.writes`, stage.writes, name === 'deploy');

    if (accounts.length > 0 && LABEL.test(name)) {
      const rn = naming.roleName(repo, name);
      if (rn.length > naming.MAX_ROLE_NAME) {
        c.add(path, `derived role name "${rn}" is ${rn.length} characters; IAM allows ${naming.MAX_ROLE_NAME} (shorten the stage name or the repository name)`);
      }
    }

    stageSpecs.push({
      name,
      accounts,
      images: IMAGE_ACCESS.includes(images) ? images : 'none',
      policyStatements,
      managedPolicyArns,
      permissionsBoundaryStatements,
      pullRequests,
      approval,
      writes,
      task: naming.stageTaskName(name),
    });
  }

  // --- pipeline
  const steps = pipelineSteps(c, topology.pipeline, stageNames, stageAccounts);

  // --- derived names must not collide (GitHub environment names are case-insensitive)
  const environments = new Map<string, string>();
  for (const stage of stageSpecs) {
    for (const account of stage.accounts) {
      const env = naming.environmentName(stage.name, account).toLowerCase();
      const other = environments.get(env);
      if (other) {
        c.add(`topology.stages.${stage.name}`, `environment "${env}" of account "${account}" collides with ${other} (rename the stage or the account)`);
      }
      environments.set(env, `stage "${stage.name}" in account "${account}"`);
    }
  }

  if (c.problems.length > 0) {
    return { problems: c.problems };
  }

  // --- build the normalised topology
  const info = regionInfo(defaultRegion)!;
  const registry = registryAccount!;
  const registryId = accountsIn[registry].id;
  const hasRoles = new Set(stageSpecs.flatMap(s => s.accounts));
  const accounts: AccountSpec[] = accountNames.map(name => {
    const a = accountsIn[name];
    return {
      name,
      id: a.id,
      region: accountRegion(name),
      production: a.production ?? false,
      branches: a.branches ?? [],
      existingOidcProvider: a.existingOidcProvider ?? false,
      oidcProviderArn: naming.oidcProviderArn(partition, a.id),
      boundaryPolicyName: naming.boundaryPolicyName(repo),
      boundaryPolicyArn: naming.boundaryPolicyArn(partition, a.id, repo),
      stackId: hasRoles.has(name) ? naming.accountStackId(repo, name) : undefined,
    };
  });
  const byName = new Map(accounts.map(a => [a.name, a]));

  const repositories: ImageRepositorySpec[] = repositoriesIn.map(name => ({
    name,
    arn: naming.ecrRepositoryArn(partition, registryRegion, registryId, name),
    uri: `${naming.registryHost(registryId, registryRegion, info.domainSuffix!)}/${name}`,
  }));

  const jobs = pipelineJobs(steps, byName);
  const jobIds = new Set<string>();
  for (const job of jobs) {
    if (jobIds.has(job.id)) {
      c.add('topology.pipeline', `two steps derive the same job id "${job.id}" (rename a stage or an account)`);
    }
    jobIds.add(job.id);
  }
  if (c.problems.length > 0) {
    return { problems: c.problems };
  }

  const roles: StageRoleSpec[] = [];
  for (const stage of stageSpecs) {
    for (const accountName of stage.accounts) {
      const account = byName.get(accountName)!;
      const environment = naming.environmentName(stage.name, accountName);
      const subjects = [naming.environmentSubject(repo, environment)];
      const immutable = naming.immutableEnvironmentSubject(repo, environment);
      if (immutable) {
        subjects.push(immutable);
      }
      if (stage.pullRequests) {
        subjects.push(naming.pullRequestSubject(repo));
        const immutablePr = naming.immutablePullRequestSubject(repo);
        if (immutablePr) {
          subjects.push(immutablePr);
        }
      }
      const review = stage.approval && (!stage.approval.productionOnly || account.production) ? stage.approval : undefined;
      const push = stage.images === 'push' && accountName === registry;
      roles.push({
        stage: stage.name,
        account: accountName,
        accountId: account.id,
        region: account.region,
        roleName: naming.roleName(repo, stage.name),
        rolePath: naming.rolePath(repo),
        roleArn: naming.roleArn(partition, account.id, repo, stage.name),
        environment,
        subjects,
        pull: stage.images !== 'none',
        push,
        reviewers: review?.reviewers ?? [],
        waitTimerMinutes: review?.waitTimerMinutes ?? 0,
        preventSelfReview: review?.preventSelfReview ?? false,
        branches: account.branches,
        concurrencyGroup: stage.writes || push ? naming.concurrencyGroup(repo, stage.name, accountName) : undefined,
      });
    }
  }

  const normalised: StageTopology = {
    schemaVersion: SCHEMA_VERSION,
    github: {
      owner: repo.owner,
      repository: repo.repository,
      fullName: naming.fullName(repo),
      ownerId: repo.ownerId,
      repositoryId: repo.repositoryId,
    },
    partition,
    defaultRegion,
    organizationId: topology.organizationId,
    registry: {
      account: registry,
      accountId: registryId,
      region: registryRegion,
      uri: naming.registryHost(registryId, registryRegion, info.domainSuffix!),
      stackId: naming.registryStackId(repo),
      stacks: registryStacks(repo, repositoriesIn),
    },
    accounts,
    repositories,
    stages: stageSpecs,
    roles,
    jobs,
    oidc: {
      issuer: naming.OIDC_ISSUER,
      audience: naming.OIDC_AUDIENCE,
      useDefault: true,
      includeClaimKeys: [],
      acceptsImmutableSubjects: repo.ownerId !== undefined && repo.repositoryId !== undefined,
    },
  };
  if (!normalised.organizationId && registryNeedsOrganization(normalised)) {
    c.add('topology.organizationId', `the registry policy cannot list ${normalised.accounts.length} accounts and ${roles.filter(r => r.pull).length} pulling roles (more than ${MAX_LISTED_REGISTRY_ACCOUNTS} accounts, or over ECR's ${ECR_REPOSITORY_POLICY_MAX_LENGTH}-character policy limit), so it trusts your AWS organization instead: set organizationId: "o-..." (aws organizations describe-organization --query Organization.Id)`);
    return { problems: c.problems };
  }
  // Limits of what the renderers make of the topology: the CDK stacks, the policies, the workflow.
  const limits = [...stackAndWorkflowProblems(normalised), ...policyLimitProblems(normalised, trustPolicyMaxLength)];
  if (limits.length > 0) {
    return { problems: limits };
  }
  return { problems: [], topology: normalised };
}

/** Repositories fill the registry stacks in declaration order, so adding one at the end moves none. */
function registryStacks(repo: naming.RepositoryRef, repositories: string[]): RegistryStackSpec[] {
  const stacks: RegistryStackSpec[] = [];
  for (let i = 0; i < repositories.length; i += REPOSITORIES_PER_REGISTRY_STACK) {
    stacks.push({
      stackId: naming.registryStackId(repo, stacks.length),
      repositories: repositories.slice(i, i + REPOSITORIES_PER_REGISTRY_STACK),
    });
  }
  return stacks;
}

/** Normalises or throws a {@link TopologyError} listing every problem. */
export function resolveTopology(github: GitHubRepositoryOptions, topology: TopologyOptions): StageTopology {
  const result = normaliseTopology(github, topology);
  if (!result.topology) {
    throw new TopologyError(result.problems);
  }
  return result.topology;
}

function statements(c: Collector, path: string, value: PolicyStatementOptions[] | undefined): StatementSpec[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    c.add(path, 'must be a list of statements such as { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/*"] }');
    return [];
  }
  return value.map((s, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(s)) {
      c.add(p, 'must be an object such as { actions: ["s3:GetObject"], resources: ["*"] }');
      return { effect: 'Allow', resources: [] };
    }
    c.unknownKeys(p, s, STATEMENT_FIELDS);
    const effect = s.effect ?? 'Allow';
    if (effect !== 'Allow' && effect !== 'Deny') {
      c.add(`${p}.effect`, `must be "Allow" or "Deny", got ${JSON.stringify(effect)}`);
    }
    const actions = c.stringArray(`${p}.actions`, s.actions);
    const notActions = c.stringArray(`${p}.notActions`, s.notActions);
    if ((actions?.length ?? 0) === 0 && (notActions?.length ?? 0) === 0) {
      c.add(p, 'a statement needs actions (or notActions)');
    }
    if (actions && notActions) {
      c.add(p, 'set either actions or notActions, not both');
    }
    for (const [key, list] of [['actions', actions], ['notActions', notActions]] as const) {
      (list ?? []).forEach((a, j) => {
        if (!ACTION.test(a)) {
          c.add(`${p}.${key}[${j}]`, `invalid IAM action ${JSON.stringify(a)} (service:Action, e.g. "s3:GetObject" or "s3:Get*")`);
        }
      });
    }
    const resources = c.stringArray(`${p}.resources`, s.resources) ?? ['*'];
    if (s.conditions !== undefined && !isObject(s.conditions)) {
      c.add(`${p}.conditions`, 'must be an object: { StringEquals: { "aws:RequestedRegion": "us-east-1" } }');
    }
    return {
      sid: s.sid,
      effect,
      actions: actions ?? undefined,
      notActions: notActions ?? undefined,
      resources,
      conditions: isObject(s.conditions) ? s.conditions : undefined,
    };
  });
}

function approvalOf(c: Collector, path: string, value: StageOptions['approval']): ApprovalSpec | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!isObject(value)) {
    c.add(path, 'must be an object such as { reviewers: ["my-org/platform-team"] }');
    return undefined;
  }
  c.unknownKeys(path, value, APPROVAL_FIELDS);
  const reviewers = c.stringArray(`${path}.reviewers`, value.reviewers) ?? [];
  reviewers.forEach((r, i) => {
    if (!REVIEWER.test(r)) {
      c.add(`${path}.reviewers[${i}]`, `invalid reviewer ${JSON.stringify(r)} (a user login such as "octocat" or a team such as "my-org/platform-team")`);
    }
  });
  if (reviewers.length > MAX_REVIEWERS) {
    c.add(`${path}.reviewers`, `GitHub allows at most ${MAX_REVIEWERS} required reviewers per environment, got ${reviewers.length} (use a team)`);
  }
  const wait = value.waitTimerMinutes ?? 0;
  if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_TIMER) {
    c.add(`${path}.waitTimerMinutes`, `must be a whole number of minutes from 0 to ${MAX_WAIT_TIMER}, got ${JSON.stringify(wait)}`);
  }
  return {
    reviewers,
    waitTimerMinutes: wait,
    preventSelfReview: c.boolean(`${path}.preventSelfReview`, value.preventSelfReview, true),
    productionOnly: c.boolean(`${path}.productionOnly`, value.productionOnly, true),
  };
}

interface Step {
  readonly stage: string;
  readonly accounts: string[];
}

function pipelineSteps(
  c: Collector,
  value: PipelineStepOptions[] | undefined,
  stageNames: string[],
  stageAccounts: Record<string, string[]>,
): Step[] {
  if (value === undefined) {
    return stageNames.map(stage => ({ stage, accounts: stageAccounts[stage] ?? [] }));
  }
  if (!Array.isArray(value) || value.length === 0) {
    c.add('topology.pipeline', 'empty pipeline: list at least one step such as { stage: "deploy", accounts: ["dev"] }, or leave pipeline out for the default order');
    return [];
  }
  const steps: Step[] = [];
  const covered = new Map<string, number>();
  value.forEach((step, i) => {
    const path = `topology.pipeline[${i}]`;
    if (!isObject(step)) {
      c.add(path, 'must be an object such as { stage: "deploy", accounts: ["dev"] }');
      return;
    }
    c.unknownKeys(path, step, ['stage', 'accounts']);
    if (!stageNames.includes(step.stage)) {
      c.add(`${path}.stage`, unknownMessage('stage', step.stage, stageNames));
      return;
    }
    const own = stageAccounts[step.stage] ?? [];
    const accounts = c.stringArray(`${path}.accounts`, step.accounts) ?? own;
    if (step.accounts !== undefined && accounts.length === 0 && own.length > 0) {
      c.add(`${path}.accounts`, `empty: leave accounts out to run stage "${step.stage}" in all of ${own.join(', ')}`);
    }
    accounts.forEach((a, j) => {
      if (!own.includes(a)) {
        const known = own.length > 0 ? `stage "${step.stage}" has roles in ${own.join(', ')}` : `stage "${step.stage}" has no accounts`;
        c.add(`${path}.accounts[${j}]`, `unknown account "${a}" for this step (${known}; add it to topology.stages.${step.stage}.accounts first)${suggestion(a, own)}`);
      }
    });
    const keys = accounts.length === 0 ? [step.stage] : accounts.map(a => `${step.stage}/${a}`);
    for (const key of keys) {
      const first = covered.get(key);
      if (first !== undefined) {
        const where = key.includes('/') ? ` in account "${key.split('/')[1]}"` : '';
        c.add(path, `duplicate step: stage "${step.stage}" already runs${where} at topology.pipeline[${first}] (remove one of them)`);
        break;
      }
    }
    keys.forEach(k => covered.set(k, covered.get(k) ?? i));
    steps.push({ stage: step.stage, accounts });
  });
  return steps;
}

function pipelineJobs(steps: Step[], accounts: Map<string, AccountSpec>): PipelineJobSpec[] {
  const occurrences = new Map<string, number>();
  steps.forEach(s => occurrences.set(s.stage, (occurrences.get(s.stage) ?? 0) + 1));
  const jobs: PipelineJobSpec[] = [];
  let previous: string[] = [];
  for (const step of steps) {
    const repeated = (occurrences.get(step.stage) ?? 0) > 1;
    // Accounts share one matrix job only when the same branches reach them; otherwise
    // each gets its own job so that its `if:` can name its own branches.
    const rules = new Set(step.accounts.map(a => [...(accounts.get(a)?.branches ?? [])].sort().join('\n')));
    const ids: string[] = [];
    if (rules.size > 1) {
      for (const account of step.accounts) {
        const id = naming.jobId(step.stage, [account], true);
        jobs.push({ id, stage: step.stage, accounts: [account], needs: previous });
        ids.push(id);
      }
    } else {
      const id = naming.jobId(step.stage, step.accounts, repeated);
      jobs.push({ id, stage: step.stage, accounts: step.accounts, needs: previous });
      ids.push(id);
    }
    previous = ids;
  }
  return jobs;
}
