import { VerifyInputs } from './artifacts';
import { OidcToken, TokenCase, tokenCorpus, TRUST_ROWS, TrustRow, webIdentity } from './corpus';
import { Decision, IamSimulator, NamedPolicy, PolicyJson, TrustPolicy } from './simulator';
import { CfnTemplate, repositoryPolicy, RoleDocuments, roleDocuments, stageStackContext } from './templates';
import { workflowJobs } from './workflow';
import { ECR_PUSH_ACTIONS } from '../cdk/policies';
import { subjectUnder } from '../settings/desired';
import { RegistryStackSpec, StageRoleSpec, StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/** One column of the matrix: the role of one (stage, account). */
export interface AccessColumn {
  /** `stage/account`, the key of the column's cells. */
  readonly key: string;
  readonly stage: string;
  readonly account: string;
  readonly production: boolean;
  readonly roleArn: string;
  readonly environment: string;
  /** The `sub` values of the corpus that the synthesized trust accepted. */
  readonly acceptedSubjects: string[];
  /** Managed policies attached by ARN: their documents are not in the template, so they are not simulated. */
  readonly managedPolicyArns: string[];
}

/** One row: a capability, and whether each role has it (`null`: not simulated, see the findings). */
export interface AccessRow {
  readonly id: string;
  readonly capability: string;
  readonly cells: { [column: string]: boolean | null };
}

/** Something the artifacts allow, or fail to line up on, that the topology does not mean. */
export interface Finding {
  /** Where: a role, job, environment or file. */
  readonly where: string;
  readonly problem: string;
  /** What to change in `.projenrc.ts` (or how to regenerate). */
  readonly fix: string;
}

/** The result of `stage-project verify`. */
export interface AccessReport {
  readonly repository: string;
  readonly columns: AccessColumn[];
  readonly rows: AccessRow[];
  readonly findings: Finding[];
  /** The promotion pipeline, for the diagram. */
  readonly pipeline: PipelineStep[];
  /** How many IAM decisions were simulated. */
  readonly simulations: number;
}

export interface PipelineStep {
  readonly job: string;
  readonly stage: string;
  readonly needs: string[];
  readonly legs: { account: string; environment: string; production: boolean; branches: string[]; reviewers: string[] }[];
}

/** An IAM escalation the boundary must deny, even to a role whose own policy allows everything. */
interface Escalation {
  readonly action: string;
  readonly resource: (accountId: string, roleArn: string, boundaryArn: string, partition: string) => string;
  readonly context?: Record<string, string>;
}

const ESCALATIONS: Escalation[] = [
  { action: 'iam:CreateUser', resource: (id, _r, _b, p) => `arn:${p}:iam::${id}:user/verify-escalation` },
  { action: 'iam:CreateAccessKey', resource: (id, _r, _b, p) => `arn:${p}:iam::${id}:user/verify-escalation` },
  { action: 'iam:AttachRolePolicy', resource: (_i, role) => role },
  { action: 'iam:PutRolePolicy', resource: (_i, role) => role },
  { action: 'iam:DeleteRolePermissionsBoundary', resource: (_i, role) => role },
  { action: 'iam:UpdateAssumeRolePolicy', resource: (_i, role) => role },
  { action: 'iam:CreateRole', resource: (id, _r, _b, p) => `arn:${p}:iam::${id}:role/verify-escalation` },
  { action: 'iam:CreatePolicyVersion', resource: (_i, _r, boundary) => boundary },
  { action: 'iam:DeleteOpenIDConnectProvider', resource: (id, _r, _b, p) => naming.oidcProviderArn(p, id) },
  { action: 'iam:AddClientIDToOpenIDConnectProvider', resource: (id, _r, _b, p) => naming.oidcProviderArn(p, id) },
  { action: 'organizations:LeaveOrganization', resource: () => '*' },
  { action: 'account:PutAlternateContact', resource: (id, _r, _b, p) => `arn:${p}:account::${id}:account` },
];

const ADMIN: NamedPolicy[] = [{ name: 'everything', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];

/** The CDK bootstrap's default qualifier; its deploy role trusts the account's principals. */
const CDK_QUALIFIER = 'hnb659fds';

function list(values: string[]): string {
  return values.join(', ');
}

function asArray(value: unknown): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

class Verification {
  private readonly findings: Finding[] = [];
  private readonly rows = new Map<string, AccessRow>();
  private simulations = 0;

  constructor(private readonly inputs: VerifyInputs, private readonly sim: IamSimulator, private readonly progress: (text: string) => void) {}

  private get topology(): StageTopology {
    return this.inputs.topology;
  }

  private find(where: string, problem: string, fix: string): void {
    this.findings.push({ where, problem, fix });
  }

  private cell(id: string, capability: string, column: string, value: boolean | null): void {
    let row = this.rows.get(id);
    if (!row) {
      row = { id, capability, cells: Object.fromEntries(this.topology.roles.map(r => [columnKey(r), null])) };
      this.rows.set(id, row);
    }
    row.cells[column] = value;
  }

  async run(): Promise<AccessReport> {
    const { topology } = this;
    const roles = topology.roles;
    this.progress(`verify: ${roles.length} stage roles of ${topology.github.fullName} in ${topology.accounts.length} accounts`);
    const docs = new Map<string, RoleDocuments>();
    const trusts = new Map<string, TrustPolicy>();
    for (const role of roles) {
      const found = this.roleDocuments(role);
      if (found) {
        docs.set(columnKey(role), found);
        const trust = this.trust(role, found);
        if (trust) {
          trusts.set(columnKey(role), trust);
        }
      }
    }
    const columns: AccessColumn[] = [];
    for (const role of roles) {
      const trust = trusts.get(columnKey(role));
      const accepted = trust ? this.simulateCorpus(role, trust) : [];
      columns.push({
        key: columnKey(role),
        stage: role.stage,
        account: role.account,
        production: topology.accounts.find(a => a.name === role.account)!.production,
        roleArn: role.roleArn,
        environment: role.environment,
        acceptedSubjects: accepted,
        managedPolicyArns: docs.get(columnKey(role))?.managedPolicyArns ?? [],
      });
    }
    this.progress(`verify: simulating what each role can do (images, CDK deploy, CloudFormation, ${ESCALATIONS.length} IAM escalations)`);
    const policies = this.repositoryPolicies();
    for (const role of roles) {
      const found = docs.get(columnKey(role));
      if (found) {
        await this.simulateCapabilities(role, found, policies);
      }
    }
    this.checkWorkflow(trusts);
    this.checkSettings();
    return {
      repository: topology.github.fullName,
      columns,
      rows: [...this.rows.values()],
      findings: this.findings,
      pipeline: this.pipeline(),
      simulations: this.simulations,
    };
  }

  private roleDocuments(role: StageRoleSpec): RoleDocuments | undefined {
    const account = this.topology.accounts.find(a => a.name === role.account)!;
    const template = account.stackId !== undefined ? this.inputs.templates.get(account.stackId) : undefined;
    const regenerate = 'Synthesize again from the current .projenrc.ts: `npx projen && npx cdk synth` (`npx projen stage:verify` does both).';
    if (!template) {
      this.find(`stack ${account.stackId}`, `the cloud assembly has no stack ${account.stackId} for account "${account.name}" (stacks: ${list([...this.inputs.templates.keys()]) || 'none'})`, regenerate);
      return undefined;
    }
    try {
      return roleDocuments(template, stageStackContext(template, this.topology, role.account), role.roleName);
    } catch (e) {
      this.find(`role ${role.roleName} in ${role.account}`, `${(e as Error).message} (stack ${account.stackId})`, regenerate);
      return undefined;
    }
  }

  /** Static checks of the trust document, then the document validated for simulation. */
  private trust(role: StageRoleSpec, found: RoleDocuments): TrustPolicy | undefined {
    const where = `trust of ${role.roleName} in ${role.account}`;
    const regenerate = `Trust policies are generated from topology.githubRepository and topology.stages.${role.stage} in .projenrc.ts and always pin aud and an exact sub: remove whatever rewrites this trust (an override in src/main.ts, a hand-edited template) and run \`npx projen stage:verify\`.`;
    const statements: any[] = Array.isArray(found.trust.Statement) ? found.trust.Statement : [found.trust.Statement];
    const provider = this.topology.accounts.find(a => a.name === role.account)!.oidcProviderArn;
    for (const statement of statements.filter(s => s.Effect === 'Allow')) {
      const principals = Object.entries<any>(statement.Principal ?? {}).flatMap(([kind, v]) => asArray(v).map(p => `${kind}:${p}`));
      const foreign = principals.filter(p => p !== `Federated:${provider}`);
      if (foreign.length > 0 || statement.Principal === '*') {
        this.find(where, `trusts ${statement.Principal === '*' ? 'every principal ("*")' : list(foreign)}, not only GitHub's OIDC provider`, regenerate);
      }
      const equals = statement.Condition?.StringEquals ?? {};
      const aud = asArray(equals[naming.CLAIM_AUD]);
      if (aud.length !== 1 || aud[0] !== this.topology.oidc.audience) {
        this.find(where, aud.length === 0
          ? `does not pin ${naming.CLAIM_AUD} (StringEquals "${this.topology.oidc.audience}"): a token minted for any audience is accepted`
          : `pins ${naming.CLAIM_AUD} to ${list(aud)} instead of "${this.topology.oidc.audience}"`, regenerate);
      }
      for (const [operator, keys] of Object.entries<any>(statement.Condition ?? {})) {
        const subjects = asArray(keys?.[naming.CLAIM_SUB]);
        if (subjects.length === 0) {
          continue;
        }
        const wildcards = subjects.filter(s => /[*?]/.test(s));
        if (operator !== 'StringEquals' || wildcards.length > 0) {
          this.find(where, `accepts the subject pattern ${list(wildcards.length > 0 ? wildcards : subjects)} (${operator}) instead of exact environment subjects`, regenerate);
        }
      }
      if (subjectsOf(statement).length === 0) {
        this.find(where, `does not restrict ${naming.CLAIM_SUB}: every repository on GitHub can assume the role`, regenerate);
      }
    }
    try {
      return this.sim.trustPolicy(found.trust, found.roleArn);
    } catch (e) {
      this.find(where, (e as Error).message, regenerate);
      return undefined;
    }
  }

  private simulateCorpus(role: StageRoleSpec, trust: TrustPolicy): string[] {
    const key = columnKey(role);
    const accepted = new Set<string>();
    const byRow = new Map<TrustRow, { allowed: boolean; wrong: TokenCase[] }>();
    for (const c of tokenCorpus(this.topology, role)) {
      const allowed = this.assume(trust, c.token) === 'Allowed';
      if (allowed) {
        accepted.add(c.token.sub);
      }
      const row = byRow.get(c.row) ?? { allowed: false, wrong: [] };
      row.allowed ||= allowed;
      if (allowed !== c.allowed) {
        row.wrong.push(c);
      }
      byRow.set(c.row, row);
    }
    for (const [id, label] of Object.entries(TRUST_ROWS) as [TrustRow, string][]) {
      const row = byRow.get(id);
      if (!row) {
        // The immutable form exists only when the repository's ids are known.
        continue;
      }
      this.cell(`trust:${id}`, label, key, row.allowed);
      const wrong = row.wrong;
      const admitted = wrong.filter(c => !c.allowed);
      const refused = wrong.filter(c => c.allowed);
      const where = `trust of ${role.roleName} in ${role.account}`;
      if (admitted.length > 0) {
        const stageFix = id === 'pull-request'
          ? `Pull requests may assume a stage role only with pullRequests: true on topology.stages.${role.stage} in .projenrc.ts (never in a production account); `
          : '';
        this.find(where, `accepts ${list(admitted.map(c => `${c.description} [sub ${c.token.sub}${c.token.aud !== this.topology.oidc.audience ? `, aud ${c.token.aud}` : ''}]`))}`,
          `${stageFix}the trust is generated from .projenrc.ts with exact subjects for environment ${role.environment} only: remove what widens it (src/main.ts, a hand-edited template) and run \`npx projen stage:verify\`.`);
      }
      if (refused.length > 0) {
        this.find(where, `refuses ${list(refused.map(c => `${c.description} [sub ${c.token.sub}]`))}, so its jobs cannot assume it`,
          `Regenerate from .projenrc.ts (\`npx projen stage:verify\`); the environment name comes from the stage and account names in topology.stages.${role.stage}.`);
      }
    }
    return [...accepted];
  }

  private assume(trust: TrustPolicy, token: OidcToken): Decision {
    this.simulations++;
    return this.sim.assumeRoleWithWebIdentity(trust, webIdentity(token));
  }

  private async request(role: RoleDocuments, action: string, resourceArn: string, resourceAccountId: string, extra: {
    identityPolicies?: NamedPolicy[]; resourcePolicy?: PolicyJson; context?: Record<string, string>;
  } = {}): Promise<Decision> {
    this.simulations++;
    return this.sim.request({
      principalArn: role.roleArn,
      action,
      resourceArn,
      resourceAccountId,
      identityPolicies: extra.identityPolicies ?? role.identityPolicies,
      boundary: role.boundary,
      resourcePolicy: extra.resourcePolicy,
      context: extra.context,
    });
  }

  /**
   * The repository policy of every repository, read from the registry stack that holds it
   * (`topology.registry.stacks`: up to `REPOSITORIES_PER_REGISTRY_STACK` per stack). A missing
   * stack or policy is one finding, and its repositories' cells stay unsimulated.
   */
  private repositoryPolicies(): Map<string, PolicyJson> {
    const { topology, inputs } = this;
    const regenerate = 'Synthesize again from the current .projenrc.ts: `npx projen && npx cdk synth` (`npx projen stage:verify` does both).';
    const policies = new Map<string, PolicyJson>();
    const stacks = registryStacks(topology);
    const stackOf = registryStackOf(stacks);
    for (const spec of stacks) {
      if (!inputs.templates.has(spec.stackId)) {
        const held = spec.repositories.length <= 3 ? list(spec.repositories) : `${spec.repositories[0]} to ${spec.repositories[spec.repositories.length - 1]}`;
        this.find(`stack ${spec.stackId}`, `the cloud assembly has no registry stack ${spec.stackId}, which holds ${spec.repositories.length} image ${spec.repositories.length === 1 ? 'repository' : 'repositories'} (${held}), so their image access is not simulated (stacks: ${list([...inputs.templates.keys()]) || 'none'})`, regenerate);
      }
    }
    for (const repository of topology.repositories) {
      const stackId = stackOf.get(repository.name);
      if (stackId === undefined) {
        this.find(`repository ${repository.name}`, `${naming.FILES.topology} places ${repository.name} in none of the registry stacks (${list(stacks.map(s => s.stackId)) || 'none'})`,
          'Regenerate the topology from .projenrc.ts with `npx projen`, then `npx cdk synth`.');
        continue;
      }
      const template = inputs.templates.get(stackId);
      if (!template) {
        continue; // reported once for the stack
      }
      try {
        policies.set(repository.name, repositoryPolicy(template, repository.name));
      } catch {
        const elsewhere = stacks.filter(s => s.stackId !== stackId && inputs.templates.has(s.stackId))
          .find(s => hasRepository(inputs.templates.get(s.stackId)!, repository.name));
        this.find(`repository ${repository.name}`, `the cloud assembly has no policy for ${repository.name} in registry stack ${stackId}${elsewhere ? `; stack ${elsewhere.stackId} declares it, so cdk.out and ${naming.FILES.topology} come from different topologies` : ''}`,
          regenerate);
      }
    }
    return policies;
  }

  private async simulateCapabilities(role: StageRoleSpec, found: RoleDocuments, policies: ReadonlyMap<string, PolicyJson>): Promise<void> {
    const { topology } = this;
    const key = columnKey(role);
    const account = topology.accounts.find(a => a.name === role.account)!;
    const stage = topology.stages.find(s => s.name === role.stage)!;
    const where = `${role.roleName} in ${role.account}`;
    // Stage accounts belong to the organization: a registry policy that trusts it sees its id.
    const orgContext = topology.organizationId !== undefined ? { 'aws:PrincipalOrgID': topology.organizationId } : undefined;
    const stackOf = registryStackOf(registryStacks(topology));
    for (const repository of topology.repositories) {
      const policy = policies.get(repository.name);
      const stackId = stackOf.get(repository.name) ?? topology.registry.stackId;
      for (const [kind, action, expected] of [['pull', 'ecr:BatchGetImage', role.pull], ['push', 'ecr:PutImage', role.push]] as const) {
        const allowed = policy
          ? await this.request(found, action, repository.arn, topology.registry.accountId, { resourcePolicy: policy, context: orgContext }) === 'Allowed'
          : null;
        this.cell(`ecr-${kind}:${repository.name}`, `ECR ${kind} ${repository.name}`, key, allowed);
        if (allowed !== null && allowed !== expected) {
          this.find(where, allowed
            ? `can ${kind} images ${kind === 'push' ? 'to' : 'from'} ${repository.name}, but stage ${role.stage} declares images: '${stage.images}'${kind === 'push' && stage.images === 'push' ? ` and ${role.account} is not the registry account` : ''}`
            : `cannot ${kind} ${repository.name}, although stage ${role.stage} declares images: '${stage.images}'`,
          allowed
            ? `Image access is topology.stages.${role.stage}.images in .projenrc.ts: set it to '${kind}' if the stage needs it (push is granted only in the registry account ${topology.registry.account}), otherwise remove the extra grant (src/main.ts, the repository policy in registry stack ${stackId}) and run \`npx projen stage:verify\`.`
            : `The role policy and the repository policy in registry stack ${stackId} must both grant it: synthesize again from .projenrc.ts (\`npx projen stage:verify\`).`);
        }
      }
    }

    if (!role.push) {
      const granted = found.identityPolicies.flatMap(p => allowedActions(p.policy).filter(a => ECR_PUSH_ACTIONS.some(push => matches(a, push))).map(a => `${a} (${p.name})`));
      if (granted.length > 0) {
        this.find(where, `its policies allow ${list(granted)}, but stage ${role.stage} declares images: '${stage.images}'`,
          `Image access is topology.stages.${role.stage}.images in .projenrc.ts: push is granted by stage-project only to the push stage in the registry account (${topology.registry.account}); remove the extra grant (src/main.ts) and run \`npx projen stage:verify\`.`);
      }
    }

    const deployRole = `arn:${topology.partition}:iam::${account.id}:role/cdk-${CDK_QUALIFIER}-deploy-role-${account.id}-${account.region}`;
    const bootstrapTrust: PolicyJson = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: naming.accountRootArn(topology.partition, account.id) }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    };
    this.cell('cdk-deploy', 'assume the CDK deploy role', key,
      await this.request(found, 'sts:AssumeRole', deployRole, account.id, { resourcePolicy: bootstrapTrust }) === 'Allowed');
    const stack = `arn:${topology.partition}:cloudformation:${account.region}:${account.id}:stack/${topology.github.repository}-verify/00000000-0000-0000-0000-000000000000`;
    this.cell('cloudformation', 'CloudFormation deploy (CreateChangeSet)', key,
      await this.request(found, 'cloudformation:CreateChangeSet', stack, account.id) === 'Allowed');

    let escalates = false;
    const notDenied: string[] = [];
    for (const e of ESCALATIONS) {
      const resource = e.resource(account.id, found.roleArn, account.boundaryPolicyArn, topology.partition);
      escalates ||= await this.request(found, e.action, resource, account.id, { context: e.context }) === 'Allowed';
      if (found.boundary && await this.request(found, e.action, resource, account.id, { identityPolicies: ADMIN, context: e.context }) !== 'ExplicitlyDenied') {
        notDenied.push(e.action);
      }
    }
    this.cell('iam-escalation', `IAM escalation (${ESCALATIONS.length} actions)`, key, escalates);
    const boundaryFix = `Keep the boundary: give stage ${role.stage} more access through topology.stages.${role.stage}.permissionsBoundaryStatements in .projenrc.ts (or StageApp.addToStagePolicy in src/main.ts, which extends the boundary), then \`npx projen stage:verify\`.`;
    if (!found.boundary) {
      this.find(where, 'has no permissions boundary: nothing stops it from escalating through IAM once its policy allows IAM actions', boundaryFix);
    } else if (notDenied.length > 0) {
      this.find(where, `its boundary does not deny ${list(notDenied)}`, 'The boundary\'s denies are generated and cannot be lifted from .projenrc.ts: restore the generated boundary (`npx projen stage:verify`) and remove edits of it in src/main.ts.');
    }
    if (escalates) {
      this.find(where, 'can perform IAM escalation actions', boundaryFix);
    }
  }

  /** Every job that assumes a role runs in an environment that role accepts, and only such jobs get tokens. */
  private checkWorkflow(trusts: Map<string, TrustPolicy>): void {
    const { topology, inputs } = this;
    const regenerate = `${naming.FILES.workflow} is generated from .projenrc.ts: regenerate it with \`npx projen\` instead of editing it (environments are <stage>-<account>, from topology.stages and topology.accounts).`;
    for (const job of workflowJobs(inputs.workflow)) {
      const where = `job ${job.id}`;
      if (job.idTokenWrite && job.legs.length === 0) {
        this.find(where, 'has id-token: write but assumes no role', `Only jobs of stages with accounts may request OIDC tokens: give the stage accounts in .projenrc.ts, or regenerate ${naming.FILES.workflow} with \`npx projen\`.`);
      }
      for (const leg of job.legs) {
        const legWhere = `${where} (${leg.account})`;
        if (!job.idTokenWrite) {
          this.find(legWhere, 'assumes a role without id-token: write, so it cannot get an OIDC token', regenerate);
        }
        const role = topology.roles.find(r => r.stage === job.stage && r.account === leg.account);
        const actionRole = inputs.actionRoles.get(`${job.stage}/${leg.account}`);
        if (!role || !actionRole) {
          this.find(legWhere, `asks the stages action for stage "${job.stage}" in account "${leg.account}", which has ${role ? `no entry in ${naming.FILES.action}` : 'no role in the topology'}`,
            `Give stage ${job.stage} account ${leg.account} in topology.stages.${job.stage}.accounts in .projenrc.ts, or regenerate with \`npx projen\`.`);
          continue;
        }
        if (actionRole !== role.roleArn) {
          this.find(legWhere, `${naming.FILES.action} assumes ${actionRole} for ${job.stage}/${leg.account}, but the role is ${role.roleArn}`, regenerate);
        }
        const trust = trusts.get(columnKey(role));
        if (leg.pushEnvironment === undefined) {
          this.find(legWhere, 'has an environment that verify cannot evaluate (not a form stages.yml is generated with)', regenerate);
          continue;
        }
        if (leg.pushEnvironment === '') {
          this.find(legWhere, `assumes ${role.roleName} without an environment, so no environment protection applies and its OIDC subject is not ${role.environment}'s`, regenerate);
          continue;
        }
        if (leg.pushEnvironment.toLowerCase() !== role.environment.toLowerCase()) {
          this.find(legWhere, `runs in environment "${leg.pushEnvironment}", but role ${role.roleName} in ${role.account} is for environment "${role.environment}"`, regenerate);
        }
        const settingsEnv = inputs.settings.environments.find(e => e.name.toLowerCase() === leg.pushEnvironment!.toLowerCase());
        if (!settingsEnv) {
          this.find(legWhere, `runs in environment "${leg.pushEnvironment}", which ${naming.FILES.settings} does not declare (GitHub would create it unprotected)`,
            'Regenerate both files from .projenrc.ts with `npx projen`, then apply the settings with `npx projen github:apply`.');
        }
        const subject = subjectUnder(inputs.settings.oidc, topology, leg.pushEnvironment);
        if (trust && subject) {
          if (this.assume(trust, this.jobToken(role, subject)) !== 'Allowed') {
            this.find(legWhere, `runs in environment "${leg.pushEnvironment}": GitHub sends sub ${subject}, which the trust of ${role.roleName} in ${role.account} does not accept`, regenerate);
          }
        } else if (!subject) {
          this.find(`${naming.FILES.settings} oidc`, 'uses a custom sub-claim template, so verify cannot tell which subjects GitHub sends', 'Keep GitHub\'s default template (stage-project writes it from .projenrc.ts); regenerate with `npx projen`.');
        }
        if (leg.pullRequestEnvironment === '' && trust) {
          const sub = topology.oidc.acceptsImmutableSubjects && inputs.settings.oidc.use_immutable_subject
            ? naming.immutablePullRequestSubject(topology.github)!
            : naming.pullRequestSubject(topology.github);
          if (this.assume(trust, this.jobToken(role, sub)) !== 'Allowed') {
            this.find(legWhere, `runs on pull requests without an environment (sub ${sub}), which the trust of ${role.roleName} in ${role.account} does not accept`, regenerate);
          }
        }
      }
    }
  }

  /** The token GitHub issues to a job of this repository that presents `sub`. */
  private jobToken(role: StageRoleSpec, sub: string): OidcToken {
    const { topology } = this;
    const providerArn = naming.oidcProviderArn(topology.partition, role.accountId);
    return { sub, aud: topology.oidc.audience, providerArn, repositoryId: repositoryIdOf(topology) };
  }

  /** Every role's environment is declared, with its account's branches, and production ones are reviewed. */
  private checkSettings(): void {
    const { topology, inputs } = this;
    const regenerate = `Regenerate ${naming.FILES.settings} from .projenrc.ts with \`npx projen\`, then \`npx projen github:apply\`.`;
    for (const role of topology.roles) {
      const account = topology.accounts.find(a => a.name === role.account)!;
      const env = inputs.settings.environments.find(e => e.name.toLowerCase() === role.environment.toLowerCase());
      const where = `environment ${role.environment}`;
      if (!env) {
        this.find(where, `is not in ${naming.FILES.settings}, so GitHub would create it without reviewers or branch policy`, regenerate);
        continue;
      }
      const policy = env.deployment_branch_policy?.custom_branch_policies ?? [];
      const same = policy.length === account.branches.length && account.branches.every(b => policy.includes(b));
      if (!same) {
        this.find(where, `allows ${policy.length ? `branches ${list(policy)}` : 'every branch'} in ${naming.FILES.settings}, but account ${account.name} is reached from ${account.branches.length ? list(account.branches) : 'every branch'}`,
          `Branches come from topology.accounts.${account.name}.branches in .projenrc.ts. ${regenerate}`);
      }
      if (account.production && env.reviewers.length === 0) {
        this.find(where, `is in production account ${account.name} but has no reviewers in ${naming.FILES.settings}`,
          `Add approval: { reviewers: ['<org>/<team>'] } to topology.stages.${role.stage} in .projenrc.ts, then \`npx projen\` and \`npx projen github:apply\`.`);
      }
    }
  }

  private pipeline(): PipelineStep[] {
    const { topology, inputs } = this;
    return topology.jobs.map(job => ({
      job: job.id,
      stage: job.stage,
      needs: job.needs,
      legs: job.accounts.map(name => {
        const account = topology.accounts.find(a => a.name === name)!;
        const role = topology.roles.find(r => r.stage === job.stage && r.account === name);
        const environment = role?.environment ?? '';
        const env = inputs.settings.environments.find(e => e.name.toLowerCase() === environment.toLowerCase());
        return { account: name, environment, production: account.production, branches: account.branches, reviewers: env?.reviewers ?? [] };
      }),
    }));
  }
}

/**
 * The registry stacks and the repositories each holds. A topology file written before the
 * registry was split has only `registry.stackId`, which then holds every repository.
 */
function registryStacks(topology: StageTopology): RegistryStackSpec[] {
  if (Array.isArray(topology.registry.stacks)) {
    return topology.registry.stacks;
  }
  return topology.repositories.length > 0 ? [{ stackId: topology.registry.stackId, repositories: topology.repositories.map(r => r.name) }] : [];
}

/** The registry stack of each repository, by repository name. */
function registryStackOf(stacks: RegistryStackSpec[]): Map<string, string> {
  return new Map(stacks.flatMap(spec => spec.repositories.map(name => [name, spec.stackId] as const)));
}

function hasRepository(template: CfnTemplate, repositoryName: string): boolean {
  return Object.values(template.Resources ?? {}).some(r => r.Type === 'AWS::ECR::Repository' && r.Properties?.RepositoryName === repositoryName);
}

function columnKey(role: { stage: string; account: string }): string {
  return `${role.stage}/${role.account}`;
}

function repositoryIdOf(topology: StageTopology): string | undefined {
  return topology.github.repositoryId !== undefined ? String(topology.github.repositoryId) : undefined;
}

/** The actions a policy allows (statements with `NotAction` are reported as `*`). */
function allowedActions(policy: PolicyJson): string[] {
  const statements: any[] = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.filter(s => s?.Effect === 'Allow').flatMap(s => (s.NotAction !== undefined ? ['*'] : asArray(s.Action)));
}

/** Whether an IAM action pattern (`ecr:*`, `ecr:Put*`) covers an action; IAM compares them case-insensitively. */
function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}

function subjectsOf(statement: any): string[] {
  return Object.values<any>(statement.Condition ?? {}).flatMap(keys => asArray(keys?.[naming.CLAIM_SUB]));
}

/**
 * Simulates who can assume each stage role and what it can do, and checks the workflow, the
 * composite action and the settings against the synthesized roles.
 *
 * @param progress receives progress lines (the CLI prints them on stderr)
 */
export function verifyAccess(
  inputs: VerifyInputs,
  simulator: IamSimulator,
  progress: (text: string) => void = () => undefined,
): Promise<AccessReport> {
  return new Verification(inputs, simulator, progress).run();
}
