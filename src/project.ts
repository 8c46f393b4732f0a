import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { awscdk, github, javascript, SampleFile, Task, typescript } from 'projen';
import { buildContract, diffContracts, formatChange, StageContract } from './contract/contract';
import { StageContractFile } from './contract/stage-contract-file';
import { EXAMPLE_TOPOLOGY, exampleOwnTopology, exampleRepository } from './example';
import { StagesAction, StagesWorkflow } from './github';
import { ORG_DEFAULTS } from './org/defaults';
import { attributeProblems, mergeOrgDefaults } from './org/merge';
import { OrgDefaults } from './org/options';
import { ProjenrcSample, TEMPLATES_DIR } from './projenrc-sample';
import { StageSettingsFile } from './settings';
import { StageTopology } from './topology/model';
import * as naming from './topology/naming';
import { normaliseTopology, TopologyError, TopologyProblem } from './topology/normalise';
import { GitHubRepositoryOptions, TopologyOptions } from './topology/options';
import { StageTopologyFile } from './topology/topology-file';
import { SIMULATOR_PACKAGES } from './verify/simulator';
import { packageIdentity } from './version';

/**
 * Options of {@link StageProject}.
 */
export interface StageProjectOptions extends awscdk.AwsCdkTypeScriptAppOptions {
  /**
   * The GitHub repository whose workflows may assume the stage roles.
   * Every trust policy pins its owner and name.
   */
  readonly githubRepository: GitHubRepositoryOptions;

  /**
   * The stage topology: accounts, registry, image repositories, stages and
   * the promotion pipeline. With org defaults, only what is this repository's own.
   *
   * @default - the org defaults alone (required without org defaults)
   */
  readonly topology?: TopologyOptions;

  /**
   * Org-wide defaults merged under `topology` (accounts, registry, stage catalogue,
   * boundary statements, production reviewers).
   *
   * @default - the defaults built into this package (`src/org/defaults.ts`), if any
   */
  readonly orgDefaults?: OrgDefaults;

  /**
   * Package versions whose changes to the contract (role names and paths, environments,
   * stack ids, accepted subjects) you accept. An upgrade that removes or renames any of
   * them fails synthesis until its version is listed here, because CDK would replace the
   * live roles. Additions never need acceptance.
   *
   * @default - none: contract-breaking upgrades fail
   */
  readonly acceptContractChanges?: string[];

  /**
   * Add the `stage:verify` task: `cdk synth`, then `stage-project verify`, which proves the
   * access matrix by IAM simulation of the synthesized roles, checks the workflow, action
   * and settings against them, and writes `docs/ACCESS.md`. It declares the simulator
   * packages (`@cloud-copilot/iam-simulate`, `@cloud-copilot/iam-policy`, AGPL-3.0) as
   * devDependencies of this repository; this package does not bundle them.
   *
   * @default true
   */
  readonly verify?: boolean;
}

/** The task that synthesizes and runs `stage-project verify`. */
const VERIFY_TASK = 'stage:verify';

/** The task that type-checks `.projenrc.ts`, which `npx projen` runs without type checking. */
export const PROJENRC_TYPECHECK_TASK = 'projenrc:typecheck';

/** The runner that `cdk synth` uses: ts-node without type checking (type errors still fail `npx projen build` through the test task's tsc). */
export const FAST_CDK_APP = 'npx ts-node -P tsconfig.json --prefer-ts-exts --transpile-only src/main.ts';

/**
 * A CDK app whose CI/CD pipeline is designed by access: from one topology it writes
 * the stage roles (CDK), the GitHub workflow and composite action, and the
 * repository's OIDC settings, all least-privileged and derived from the same names.
 *
 * @pjid stage-project
 */
export class StageProject extends awscdk.AwsCdkTypeScriptApp {
  /** The validated, normalised topology every output is rendered from. */
  public readonly stageTopology: StageTopology;

  constructor(options: StageProjectOptions) {
    // `projen new` constructs the project before any .projenrc.ts exists: seed it with the example.
    const creating = (options as any).__new__ !== undefined;
    const githubRepository = options.githubRepository ?? (creating ? exampleRepository(options.name) : undefined);
    const { name: packageName, version } = packageIdentity();
    const org = options.orgDefaults ?? ORG_DEFAULTS;
    const topologyOptions = options.topology ?? (creating ? (org ? exampleOwnTopology(githubRepository!) : EXAMPLE_TOPOLOGY) : undefined);
    const cdkVersion = creating ? minimumCdkVersion() : options.cdkVersion;

    // Validate before projen does anything, so a bad topology writes nothing.
    const problems: TopologyProblem[] = [...checkCdkVersion(cdkVersion)];
    const merged = mergeOrgDefaults(org, topologyOptions, packageName);
    const result = normaliseTopology(githubRepository as GitHubRepositoryOptions, merged.topology);
    problems.push(...merged.problems, ...result.problems);
    if ((options.verify ?? true) && result.topology?.stages.some(s => naming.stageTaskName(s.name) === VERIFY_TASK)) {
      problems.push({ path: 'topology.stages.verify', message: `the stage's task would be ${VERIFY_TASK}, which runs stage-project verify (rename the stage, or set verify: false)` });
    }
    if (problems.length > 0 || !result.topology) {
      throw new TopologyError(org ? attributeProblems(problems, merged.sources, packageName) : problems);
    }
    const contract = buildContract(result.topology, packageName, version);
    guardContract(resolve(options.outdir ?? '.'), contract, options.acceptContractChanges ?? []);

    // `npx projen` transpiles .projenrc.ts without type checking: checking it loads this package's
    // types and aws-cdk-lib's behind them, which tripled every re-synthesis (bench/RESULTS.md).
    // The topology is validated at run time anyway, and the build type-checks the file
    // (PROJENRC_TYPECHECK_TASK, before compile), so type errors still fail CI.
    const projenCodeDir = options.projenrcTsOptions?.projenCodeDir ?? 'projenrc';
    const projenrcTsOptions: typescript.ProjenrcOptions = {
      ...options.projenrcTsOptions,
      runner: options.projenrcTsOptions?.runner
        ?? typescript.TypeScriptRunner.tsNode({ typeCheck: false, tsconfig: `${projenCodeDir}/tsconfig.json` }),
    };

    super({
      ...options,
      projenrcTsOptions,
      packageManager: options.packageManager ?? javascript.NodePackageManager.NPM,
      workflowNodeVersion: options.workflowNodeVersion ?? '22.x',
      app: options.app ?? (options.appEntrypoint ? undefined : FAST_CDK_APP),
      cdkVersion,
      sampleCode: false,
      context: {
        // Keep `cdk synth` offline and quiet in CI.
        'cli-telemetry': false,
        ...options.context,
      },
    });

    this.stageTopology = result.topology;
    new StageTopologyFile(this, this.stageTopology);
    new StageContractFile(this, contract);
    // The CDK app imports this package, which projen new installs as a devDependency.
    this.eslint?.addOverride({
      files: [join(this.srcdir, this.appEntrypoint)],
      rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
    });
    new SampleFile(this, join(this.srcdir, this.appEntrypoint), {
      contents: readFileSync(join(TEMPLATES_DIR, 'main.ts.sample'), 'utf-8').split('@org/stage-project').join(packageName),
    });
    new StageSettingsFile(this, this.stageTopology);
    new StagesAction(this, this.stageTopology);
    if (github.GitHub.of(this)) {
      new StagesWorkflow(this, this.stageTopology);
    }
    // Upgrades (projen's upgrade task and workflow) regenerate once more after installing,
    // so the new version's files are in the pull request, with a report of what changed.
    const report = this.addTask('stage:upgrade-report', {
      description: `Write ${naming.FILES.upgradeReport}: what the package upgrade changes in the contract and the generated files`,
      condition: 'git rev-parse --verify -q HEAD',
      exec: `stage-project upgrade-report --from HEAD --markdown ${naming.FILES.upgradeReport}`,
    });
    const postUpgrade = this.tasks.tryFind('post-upgrade');
    postUpgrade?.exec('npx projen');
    postUpgrade?.spawn(report);
    this.addTask('github:plan', {
      description: `Show how the GitHub repository's OIDC settings, environments and variables differ from ${naming.FILES.settings} (exit 0 in sync, 2 changes, 1 error)`,
      exec: 'stage-project github plan',
      receiveArgs: true,
    });
    this.addTask('github:apply', {
      description: `Apply ${naming.FILES.settings} to the GitHub repository (GITHUB_TOKEN; GITHUB_API_URL for GitHub Enterprise Server)`,
      exec: 'stage-project github apply',
      receiveArgs: true,
    });
    if (options.verify ?? true) {
      // Resolved from this repository at run time: AGPL-3.0, so never bundled with the Apache-2.0 package.
      this.addDevDeps(...Object.entries(SIMULATOR_PACKAGES).map(([name, range]) => `${name}@${range}`));
      const verify = this.addTask(VERIFY_TASK, {
        description: `Synthesize, prove the access matrix by IAM simulation and check the workflow, action and settings against it; writes ${naming.FILES.access} (exit 1 on any finding)`,
      });
      verify.spawn(this.cdkTasks.synthSilent);
      verify.exec(`stage-project verify --markdown ${naming.FILES.access}`, { receiveArgs: true });
      this.annotateGenerated(`/${naming.FILES.access}`);
    }
    if (options.projenrcTs) {
      const typecheck = this.addTask(PROJENRC_TYPECHECK_TASK, {
        description: `Type-check ${options.projenrcTsOptions?.filename ?? '.projenrc.ts'} (npx projen runs it without type checking)`,
        exec: `tsc --noEmit -p ${projenCodeDir}/tsconfig.json`,
      });
      this.preCompileTask.spawn(typecheck);
    }
    for (const stage of this.stageTopology.stages) {
      this.addTask(stage.task, {
        description: `The steps of stage "${stage.name}"; its workflow job runs them (${stage.accounts.length > 0 ? `role in ${stage.accounts.join(', ')}` : 'no AWS access'})`,
      });
    }

    if (creating) {
      new ProjenrcSample(this, {
        name: options.name,
        defaultReleaseBranch: options.defaultReleaseBranch ?? 'main',
        cdkVersion,
        githubRepository: githubRepository!,
        topology: topologyOptions!,
        orgDefaults: org !== undefined,
      });
    }
  }

  /**
   * The projen task `stage:<name>` that the stage's workflow job runs.
   * Add the stage's steps to it, e.g. `project.stageTask('deploy').exec('npx cdk deploy ...')`.
   *
   * @param stage a stage of the topology
   */
  public stageTask(stage: string): Task {
    const task = this.tasks.tryFind(naming.stageTaskName(stage));
    if (!task) {
      const known = this.stageTopology.stages.map(s => s.name).join(', ');
      throw new Error(`stageTask("${stage}"): unknown stage (known: ${known})`);
    }
    return task;
  }
}

/**
 * The upgrade guard: a new package version may not silently remove or rename what live
 * infrastructure depends on. Edits of the topology under the same version are the user's
 * own intent and pass; so do additions.
 */
function guardContract(outdir: string, contract: StageContract, accepted: string[]): void {
  const file = join(outdir, naming.FILES.contract);
  if (!existsSync(file)) {
    return;
  }
  const previous: StageContract = JSON.parse(readFileSync(file, 'utf-8'));
  if (previous.version === contract.version || accepted.includes(contract.version)) {
    return;
  }
  const diff = diffContracts(previous, contract);
  if (diff.breaking.length > 0) {
    throw new ContractError([
      `stage-project: upgrading ${contract.packageName} ${previous.version} -> ${contract.version} changes names that live infrastructure depends on; nothing was written:`,
      ...diff.breaking.map(c => `  ${formatChange(c)}`),
      `Read the ${contract.version} changelog for the migration, then accept it in .projenrc.ts:`,
      `  acceptContractChanges: ['${contract.version}'],`,
    ].join('\n'));
  }
}

/** Thrown by the upgrade guard. */
class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
    // The message is the whole story; a stack trace would bury it.
    this.stack = message;
  }
}

/** The lowest aws-cdk-lib this package's constructs support: its peer dependency range's floor. */
export function minimumCdkVersion(): string {
  const range = packageIdentity().peerDependencies['aws-cdk-lib'] ?? '';
  return range.replace(/^[^\d]*/, '');
}

function checkCdkVersion(version: string | undefined): TopologyProblem[] {
  const minimum = minimumCdkVersion();
  const parse = (v: string) => v.split('.').map(n => parseInt(n, 10));
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+/.test(version)) {
    return [{ path: 'cdkVersion', message: `must be an aws-cdk-lib version such as "${minimum}", got ${JSON.stringify(version)}` }];
  }
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) {
      return a[i] < b[i]
        ? [{ path: 'cdkVersion', message: `${version} is older than the ${minimum} that ${packageIdentity().name} needs (set cdkVersion: '${minimum}')` }]
        : [];
    }
  }
  return [];
}
