import { readFileSync } from 'fs';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccountStagesStack } from './account-stages-stack';
import { RegistryStack } from './registry-stack';
import { StageRole } from './stage-role';
import { StageTopology } from '../topology/model';
import { SCHEMA_VERSION } from '../topology/normalise';

/**
 * Settings of {@link StageApp} besides the topology.
 */
export interface StageAppOptions {
  /**
   * Days after which untagged images expire.
   *
   * @default 14
   */
  readonly untaggedImageExpiryDays?: number;

  /**
   * How many tagged images each repository keeps.
   *
   * @default 100
   */
  readonly maxTaggedImages?: number;

  /**
   * What happens to the ECR repositories when they leave the registry stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly repositoryRemovalPolicy?: RemovalPolicy;
}

/**
 * Properties of {@link StageApp}.
 */
export interface StageAppProps extends StageAppOptions {
  /**
   * The normalised topology (`src/stage/topology.generated.json` in a consuming repository).
   */
  readonly topology: StageTopology;
}

/**
 * Adds the stacks of a topology to an app: the registry stack in the registry account
 * (when there are image repositories) and one stage stack per account that has stage
 * roles. The stacks are direct children of `scope` with the topology's stack ids, which
 * are also their stack names.
 */
export class StageApp {
  /**
   * Builds the stacks from the generated topology file that `npx projen` writes.
   *
   * @param scope the app (or stage) to add the stacks to
   * @param file path of `topology.generated.json`
   */
  public static fromFile(scope: Construct, file: string, options: StageAppOptions = {}): StageApp {
    let topology: StageTopology;
    try {
      topology = JSON.parse(readFileSync(file, 'utf-8'));
    } catch (e) {
      throw new Error(`StageApp: cannot read the topology at ${file}: ${(e as Error).message} (run "npx projen" to generate it)`);
    }
    return new StageApp(scope, { ...options, topology });
  }

  /** The topology the stacks were built from. */
  public readonly topology: StageTopology;
  /** The (first) registry stack; absent when the topology has no image repositories. */
  public readonly registryStack?: RegistryStack;
  /** Every registry stack: one per `REPOSITORIES_PER_REGISTRY_STACK` repositories, in declaration order. */
  public readonly registryStacks: RegistryStack[];
  /** The stage stacks, in the topology's account order. */
  public readonly accountStacks: AccountStagesStack[];

  constructor(scope: Construct, props: StageAppProps) {
    const { topology } = props;
    if (topology?.schemaVersion !== SCHEMA_VERSION) {
      throw new Error(`StageApp: the topology has schema version ${JSON.stringify(topology?.schemaVersion)}, this library reads ${SCHEMA_VERSION} (run "npx projen" with the installed @org/stage-project to regenerate it)`);
    }
    this.topology = topology;
    this.registryStacks = topology.registry.stacks.map((_, part) => new RegistryStack(scope, {
      topology,
      part,
      untaggedImageExpiryDays: props.untaggedImageExpiryDays,
      maxTaggedImages: props.maxTaggedImages,
      repositoryRemovalPolicy: props.repositoryRemovalPolicy,
    }));
    this.registryStack = this.registryStacks[0];
    this.accountStacks = topology.accounts
      .filter(a => a.stackId !== undefined)
      .map(a => new AccountStagesStack(scope, { topology, account: a.name }));
  }

  /**
   * The stage stack of `account`.
   */
  public accountStack(account: string): AccountStagesStack {
    const stack = this.accountStacks.find(s => s.accountName === account);
    if (!stack) {
      throw new Error(`StageApp: account "${account}" has no stage stack (accounts with stage roles: ${this.accountStacks.map(s => s.accountName).join(', ') || 'none'})`);
    }
    return stack;
  }

  /**
   * The role of `stage` in `account`.
   */
  public stageRole(stage: string, account: string): StageRole {
    return this.accountStack(account).stageRole(stage);
  }

  /**
   * Gives a stage more access: adds the statement to its role and to the boundary in
   * every account it runs in, or only in `account`.
   *
   * @param account one account of the stage
   * @default - every account of the stage
   */
  public addToStagePolicy(stage: string, statement: iam.PolicyStatement, account?: string): void {
    const accounts = account !== undefined ? [account] : this.topology.roles.filter(r => r.stage === stage).map(r => r.account);
    if (accounts.length === 0) {
      throw new Error(`StageApp: stage "${stage}" has no roles (stages with roles: ${[...new Set(this.topology.roles.map(r => r.stage))].join(', ') || 'none'})`);
    }
    for (const name of accounts) {
      this.accountStack(name).addToStagePolicy(stage, statement);
    }
  }
}
