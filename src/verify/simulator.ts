/**
 * IAM simulation through @cloud-copilot/iam-simulate and @cloud-copilot/iam-policy.
 *
 * Those packages are AGPL-3.0 and this one is Apache-2.0, so they are neither bundled nor
 * declared as dependencies: they are loaded at run time from the repository being verified
 * (StageProject adds them to its devDependencies). Nothing here imports them statically, not
 * even their types, so the compiled `lib/` holds no reference to them until `verify` runs.
 */

/** Packages `verify` loads at run time, with the version ranges this package is tested with. */
export const SIMULATOR_PACKAGES = {
  '@cloud-copilot/iam-simulate': '^0.1.173',
  '@cloud-copilot/iam-policy': '^0.1.109',
} as const;

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface PolicyJson {
  readonly Version?: string;
  readonly Statement: any[];
}

export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyJson;
}

/** The part of iam-simulate's `Simulation` this module fills in. */
interface SimulationInput {
  request: {
    principal: string;
    action: string;
    resource: { resource: string; accountId: string };
    contextVariables: Record<string, string | string[]>;
  };
  identityPolicies: NamedPolicy[];
  serviceControlPolicies: never[];
  resourceControlPolicies: never[];
  resourcePolicy?: unknown;
  permissionBoundaryPolicies?: NamedPolicy[];
}

interface IamSimulateModule {
  runSimulation(simulation: SimulationInput, options: object): Promise<
  | { resultType: 'error'; errors: unknown }
  | { resultType: 'single' | 'wildcard'; overallResult: Decision }
  >;
  runUnsafeSimulation(simulation: SimulationInput, options: object): Decision;
}

interface IamPolicyModule {
  createValidatedPolicy(policy: unknown, validate: (policy: unknown) => unknown[], metadata?: unknown): { errors: unknown[] };
  validateTrustPolicy(policy: unknown): unknown[];
}

/** The simulator packages are not installed where `verify` runs. */
export class SimulatorMissingError extends Error {
  constructor(public readonly missing: string[], cwd: string) {
    super([
      `verify simulates IAM with ${missing.join(' and ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed in ${cwd}.`,
      `Install ${missing.length === 1 ? 'it' : 'them'} as devDependencies: npm install --save-dev ${missing.map(m => `${m}@${SIMULATOR_PACKAGES[m as keyof typeof SIMULATOR_PACKAGES]}`).join(' ')}`,
      '(StageProject declares them when its `verify` option is on: run `npx projen` and install.)',
      'They are AGPL-3.0; @org/stage-project is Apache-2.0, so it neither bundles them nor depends on them.',
    ].join('\n'));
    this.name = 'SimulatorMissingError';
  }
}

/**
 * Resolves a package from `cwd` (the repository being verified) first, then from this
 * package's own location (a development checkout, where they are devDependencies).
 */
function load<T>(name: string, cwd: string, missing: string[]): T | undefined {
  let resolved: string | undefined;
  for (const paths of [[cwd], undefined]) {
    try {
      resolved = require.resolve(name, paths ? { paths } : undefined);
      break;
    } catch {
      // try the next location
    }
  }
  if (resolved === undefined) {
    missing.push(name);
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as T;
}

/**
 * Evaluates requests as IAM would, over the policies it is given. Validation errors throw
 * rather than read as a denial, so a malformed policy can never pass for a safe one.
 */
export class IamSimulator {
  /**
   * Loads the simulator packages, resolved from `cwd` first.
   *
   * @throws SimulatorMissingError naming the packages to install
   */
  public static load(cwd: string): IamSimulator {
    const missing: string[] = [];
    const simulate = load<IamSimulateModule>('@cloud-copilot/iam-simulate', cwd, missing);
    const policy = load<IamPolicyModule>('@cloud-copilot/iam-policy', cwd, missing);
    if (!simulate || !policy) {
      throw new SimulatorMissingError(missing, cwd);
    }
    return new IamSimulator(simulate, policy);
  }

  private constructor(private readonly simulate: IamSimulateModule, private readonly policy: IamPolicyModule) {}

  /**
   * A trust policy, checked once, for {@link assumeRoleWithWebIdentity}.
   *
   * @throws when the document is not a valid trust policy
   */
  public trustPolicy(trust: PolicyJson, roleArn: string): TrustPolicy {
    const validated = this.policy.createValidatedPolicy(trust, p => this.policy.validateTrustPolicy(p), { name: `trust of ${roleArn}` });
    if (validated.errors.length > 0) {
      throw new Error(`invalid trust policy of ${roleArn}: ${JSON.stringify(validated.errors)}`);
    }
    return { roleArn, validated };
  }

  /**
   * Whether the trust lets `token` assume its role. The regular simulator drops the
   * `token.actions.githubusercontent.com:*` keys for this action (everything would come out
   * denied); the unsafe one evaluates them, which is why the trust was validated first.
   */
  public assumeRoleWithWebIdentity(trust: TrustPolicy, token: WebIdentityToken): Decision {
    return this.simulate.runUnsafeSimulation({
      request: {
        principal: token.providerArn,
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: { resource: trust.roleArn, accountId: accountOf(trust.roleArn) },
        contextVariables: token.claims,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust.validated,
    }, {});
  }

  /** Simulates a request of a principal to a resource over identity policies, boundary and resource policy. */
  public async request(request: RequestSimulation): Promise<Decision> {
    const result = await this.simulate.runSimulation({
      request: {
        principal: request.principalArn,
        action: request.action,
        resource: { resource: request.resourceArn, accountId: request.resourceAccountId },
        contextVariables: {
          'aws:PrincipalArn': request.principalArn,
          'aws:PrincipalAccount': accountOf(request.principalArn),
          ...request.context,
        },
      },
      identityPolicies: request.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      permissionBoundaryPolicies: request.boundary ? [{ name: 'boundary', policy: request.boundary }] : undefined,
    }, {});
    if (result.resultType === 'error') {
      throw new Error(`simulation of ${request.action} on ${request.resourceArn} failed: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult;
  }
}

/** A validated trust policy. */
export interface TrustPolicy {
  readonly roleArn: string;
  readonly validated: unknown;
}

/** What STS sees of a web identity token: the provider it arrives through and its claims as condition keys. */
export interface WebIdentityToken {
  readonly providerArn: string;
  readonly claims: Record<string, string>;
}

/** One request of a principal to a resource. */
export interface RequestSimulation {
  readonly principalArn: string;
  readonly action: string;
  readonly resourceArn: string;
  readonly resourceAccountId: string;
  readonly identityPolicies: NamedPolicy[];
  readonly boundary?: PolicyJson;
  readonly resourcePolicy?: PolicyJson;
  /** Extra request context, e.g. `aws:PrincipalOrgID` or `iam:PermissionsBoundary`. */
  readonly context?: Record<string, string | string[]>;
}

export function accountOf(arn: string): string {
  return arn.split(':')[4];
}
