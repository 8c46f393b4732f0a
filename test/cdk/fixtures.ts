import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StageApp, StageAppOptions } from '../../src/cdk';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { StageRoleSpec, StageTopology } from '../../src/topology/model';
import { resolveTopology } from '../../src/topology/normalise';
import { GitHubRepositoryOptions, TopologyOptions } from '../../src/topology/options';
import { CfnTemplate, RoleDocuments, roleDocuments, stageStackContext } from '../support/simulate';

export const GUARD_RULES = join(__dirname, '..', '..', 'src', 'cdk', 'guard', 'stage-roles.guard');

export const EXAMPLE_REPO: GitHubRepositoryOptions = { owner: 'example-org', repository: 'weebler' };

/** Every option the CDK app reads, in one topology: ids, pull requests, an existing provider, managed policies, boundary statements, three regions. */
export const FULL_REPO: GitHubRepositoryOptions = { owner: 'widgetfactory', repository: 'wobbler', ownerId: 4242, repositoryId: 987654 };
/**
 * The escalations issue 3 lists, written out here rather than imported, so a deny that
 * goes missing from the boundary cannot also go missing from the test.
 */
export interface Escalation {
  readonly action: string;
  /** The resource in account `id`, given the role and boundary ARNs. */
  readonly resource: (id: string, roleArn: string, boundaryArn: string) => string;
  readonly context?: Record<string, string>;
  readonly description: string;
}
export const ESCALATIONS: Escalation[] = [
  { description: 'create a user', action: 'iam:CreateUser', resource: id => `arn:aws:iam::${id}:user/mallory` },
  { description: 'create an access key', action: 'iam:CreateAccessKey', resource: id => `arn:aws:iam::${id}:user/ci` },
  { description: 'attach a policy to its role', action: 'iam:AttachRolePolicy', resource: (_, role) => role },
  { description: 'put a policy on its role', action: 'iam:PutRolePolicy', resource: (_, role) => role },
  { description: 'delete its boundary', action: 'iam:DeleteRolePermissionsBoundary', resource: (_, role) => role },
  { description: 'update its trust', action: 'iam:UpdateAssumeRolePolicy', resource: (_, role) => role },
  { description: 'create a role without a boundary', action: 'iam:CreateRole', resource: id => `arn:aws:iam::${id}:role/escape` },
  {
    description: 'create a role with another boundary',
    action: 'iam:CreateRole',
    resource: id => `arn:aws:iam::${id}:role/escape`,
    context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  { description: 'rewrite the boundary', action: 'iam:CreatePolicyVersion', resource: (_, __, boundary) => boundary },
  { description: 'delete the OIDC provider', action: 'iam:DeleteOpenIDConnectProvider', resource: id => `arn:aws:iam::${id}:oidc-provider/token.actions.githubusercontent.com` },
  { description: 'add an audience to the OIDC provider', action: 'iam:AddClientIDToOpenIDConnectProvider', resource: id => `arn:aws:iam::${id}:oidc-provider/token.actions.githubusercontent.com` },
  { description: 'create another OIDC provider', action: 'iam:CreateOpenIDConnectProvider', resource: id => `arn:aws:iam::${id}:oidc-provider/evil.example.com` },
  { description: 'leave the organization', action: 'organizations:LeaveOrganization', resource: () => '*' },
  { description: 'change the account contacts', action: 'account:PutAlternateContact', resource: id => `arn:aws:account::${id}:account` },
];

/** Every IAM resource type the boundary's denies protect. */
const IAM_RESOURCES = ['role', 'user', 'policy', 'oidc-provider'].map(type => `arn:aws:iam::*:${type}/*`);

export const FULL_TOPOLOGY: TopologyOptions = {
  defaultRegion: 'us-east-1',
  accounts: {
    tools: { id: '111111111111', region: 'us-east-2' },
    dev: { id: '222222222222', region: 'eu-west-1', branches: ['develop', 'main'], existingOidcProvider: true },
    prod: { id: '333333333333', production: true, branches: ['main'] },
  },
  registry: { account: 'tools' },
  repositories: ['widgetfactory/wobbler/api', 'widgetfactory/wobbler/worker'],
  stages: {
    unit: {},
    build: { accounts: ['tools'], images: 'push', pullRequests: true },
    e2e: {
      accounts: ['dev'],
      images: 'pull',
      pullRequests: true,
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      permissionsBoundaryStatements: [{ sid: 'ReadOnlyAccessKept', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }],
    },
    deploy: {
      accounts: ['dev', 'prod'],
      images: 'pull',
      policyStatements: [
        { sid: 'CdkBootstrapRoles', actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::*:role/cdk-hnb659fds-*'] },
        { sid: 'NoBucketDeletes', effect: 'Deny', actions: ['s3:DeleteBucket'], resources: ['*'] },
      ],
      // Shows that a stage cannot lift the explicit denies, even by allowing all of IAM in the boundary.
      permissionsBoundaryStatements: [{ sid: 'IamForDeploys', actions: ESCALATIONS.filter(e => e.action.startsWith('iam:')).map(e => e.action), resources: IAM_RESOURCES }],
      approval: { reviewers: ['widgetfactory/platform'] },
    },
  },
};

export function exampleTopology(): StageTopology {
  return resolveTopology(EXAMPLE_REPO, EXAMPLE_TOPOLOGY);
}

export function fullTopology(): StageTopology {
  return resolveTopology(FULL_REPO, FULL_TOPOLOGY);
}

/**
 * `count` accounts, each with a deploy role that pulls; the registry in the first.
 * Past the listing limit this needs `organizationId`.
 */
export function manyAccounts(count: number, organizationId?: string, repository = 'fleet'): { repo: GitHubRepositoryOptions; options: TopologyOptions } {
  const accounts: TopologyOptions['accounts'] = {};
  for (let i = 0; i < count; i++) {
    accounts[`acct${i}`] = { id: String(100000000000 + i) };
  }
  return {
    repo: { owner: 'fleet-org', repository },
    options: {
      accounts,
      registry: { account: 'acct0' },
      repositories: ['fleet/app'],
      stages: {
        build: { accounts: ['acct0'], images: 'push' },
        deploy: { accounts: Object.keys(accounts), images: 'pull' },
      },
      organizationId,
    },
  };
}

/**
 * cdk-nag 3 packs need the construct tree, which aws-cdk-lib 2.257 does not yet pass to
 * validation plugins; this registers the pack as a plugin that walks the app itself.
 */
class NagPlugin implements IPolicyValidationPlugin {
  public readonly name = 'AwsSolutions';
  constructor(private readonly app: App, private readonly pack = new AwsSolutionsChecks()) {}
  validate(): PolicyValidationPluginReport {
    return this.pack.validateScope(this.app);
  }
}

/** Keeps each plugin's own report: the written report leaves out plugins that passed. */
class Recorded implements IPolicyValidationPlugin {
  public report?: PolicyValidationPluginReport;
  public readonly name: string;
  constructor(private readonly inner: IPolicyValidationPlugin) {
    this.name = inner.name;
  }
  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.report = this.inner.validate(context);
    return this.report;
  }
}

export interface Synthesized {
  readonly app: App;
  readonly stageApp: StageApp;
  readonly assembly: CloudAssembly;
  /** The written report (`policy-validation-report.json`), when static checks ran; it lists failing plugins only. */
  readonly validation?: ValidationReport;
  /** Each plugin's own report by plugin name, when static checks ran. */
  readonly pluginReports: { [name: string]: PolicyValidationPluginReport | undefined };
  template(stackId: string): CfnTemplate;
}

export interface ValidationReport {
  readonly pluginReports: {
    readonly summary: { readonly pluginName: string; readonly status: string; readonly metadata?: any };
    readonly violations: {
      readonly ruleName: string;
      readonly description: string;
      readonly violatingResources: any[];
    }[];
  }[];
}

export interface SynthOptions extends StageAppOptions {
  /** Run cdk-nag and cfn-guard (Control Tower rules plus ours) as validation plugins. */
  readonly staticChecks?: boolean;
  /** Changes the app before synthesis, e.g. to add extra policy. */
  readonly customise?: (app: App, stageApp: StageApp) => void;
}

export function synth(topology: StageTopology, options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'stage-cdk-'));
  const app = new App({ outdir });
  const stageApp = new StageApp(app, { ...options, topology });
  options.customise?.(app, stageApp);
  const plugins = options.staticChecks
    ? [new Recorded(new NagPlugin(app)), new Recorded(new CfnGuardValidator({ rules: [GUARD_RULES] }) as IPolicyValidationPlugin)]
    : [];
  Validations.of(app).addPlugins(...plugins);
  const exitCode = process.exitCode;
  // The plugins print their report for the CLI; tests assert on it instead.
  const quiet = options.staticChecks ? jest.spyOn(console, 'error').mockImplementation(() => undefined) : undefined;
  let assembly: CloudAssembly;
  try {
    assembly = app.synth();
  } finally {
    quiet?.mockRestore();
    // A failing validation sets the exit code for the CLI; here the report is asserted instead.
    process.exitCode = exitCode;
  }
  const validation = options.staticChecks
    ? JSON.parse(readFileSync(join(assembly.directory, 'policy-validation-report.json'), 'utf-8'))
    : undefined;
  return {
    app,
    stageApp,
    assembly,
    validation,
    pluginReports: Object.fromEntries(plugins.map(p => [p.name, p.report])),
    template: (stackId: string) => assembly.getStackByName(stackId).template,
  };
}

/** A stage role of the topology with its synthesized documents, resolved as IAM will see them. */
export interface SynthesizedRole {
  readonly spec: StageRoleSpec;
  readonly docs: RoleDocuments;
}

/** Every stage role of `topology`, read from its account's stack in `synthesized`. */
export function synthesizedRoles(topology: StageTopology, synthesized: Synthesized): SynthesizedRole[] {
  return topology.roles.map(spec => {
    const account = topology.accounts.find(a => a.name === spec.account)!;
    const template = synthesized.template(account.stackId!);
    return { spec, docs: roleDocuments(template, stageStackContext(template, topology, spec.account), spec.roleName) };
  });
}
