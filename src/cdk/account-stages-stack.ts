import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GitHubOidcProvider } from './github-oidc-provider';
import { addStackLimitValidation } from './stack-limits';
import { checkStackProps } from './stack-props';
import { StageBoundary } from './stage-boundary';
import { StageRole } from './stage-role';
import { StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/**
 * Properties of {@link AccountStagesStack}.
 */
export interface AccountStagesStackProps extends StackProps {
  /**
   * The normalised topology.
   */
  readonly topology: StageTopology;

  /**
   * The account (a name in `topology.accounts`) this stack deploys to. Its `env` and
   * stack name come from the topology; passing different ones is an error.
   */
  readonly account: string;
}

/**
 * Everything one account needs for this repository's stages: GitHub's OIDC provider
 * (created, or imported when the account already has one), the permissions boundary,
 * and one role per stage that runs in the account.
 */
export class AccountStagesStack extends Stack {
  /** The account's name in the topology. */
  public readonly accountName: string;
  /** GitHub's OIDC provider in this account. */
  public readonly oidcProvider: GitHubOidcProvider;
  /** The permissions boundary of the stage roles. */
  public readonly boundary: StageBoundary;
  /** The stage roles, in the topology's stage order. */
  public readonly stageRoles: StageRole[];

  constructor(scope: Construct, props: AccountStagesStackProps) {
    const account = props.topology.accounts.find(a => a.name === props.account);
    if (!account) {
      throw new Error(`AccountStagesStack: account "${props.account}" is not in the topology (known: ${props.topology.accounts.map(a => a.name).join(', ')})`);
    }
    if (!account.stackId) {
      throw new Error(`AccountStagesStack: account "${props.account}" has no stage roles, so it has no stage stack (add it to a stage's accounts)`);
    }
    const env = { account: account.id, region: account.region };
    checkStackProps('AccountStagesStack', props, env, account.stackId);
    super(scope, account.stackId, {
      description: `GitHub OIDC stage roles of ${props.topology.github.fullName} in ${account.name} (stage-project)`,
      ...props,
      env,
      stackName: account.stackId,
    });
    this.accountName = account.name;
    addStackLimitValidation(this, 'fewer stages may run in this account, or move extra resources to a stack of their own');

    this.oidcProvider = new GitHubOidcProvider(this, naming.OIDC_PROVIDER_CONSTRUCT_ID, {
      existingProviderArn: account.existingOidcProvider ? account.oidcProviderArn : undefined,
    });
    this.boundary = new StageBoundary(this, naming.BOUNDARY_CONSTRUCT_ID, { topology: props.topology, account: account.name });
    this.stageRoles = props.topology.roles
      .filter(r => r.account === account.name)
      .map(r => new StageRole(this, naming.stageRoleConstructId(r.stage), {
        topology: props.topology,
        stage: r.stage,
        account: r.account,
        oidcProvider: this.oidcProvider.provider,
        permissionsBoundary: this.boundary.policy,
      }));
  }

  /**
   * The role of `stage` in this account.
   */
  public stageRole(stage: string): StageRole {
    const role = this.stageRoles.find(r => r.spec.stage === stage);
    if (!role) {
      throw new Error(`${this.stackName}: stage "${stage}" has no role in account "${this.accountName}" (stages here: ${this.stageRoles.map(r => r.spec.stage).join(', ')})`);
    }
    return role;
  }

  /**
   * Gives a stage more access in this account: adds the statement to the stage's role
   * and to the account's boundary, which must allow it for it to take effect. The
   * boundary's explicit denies still apply.
   */
  public addToStagePolicy(stage: string, statement: iam.PolicyStatement): void {
    this.stageRole(stage).addToPolicy(statement);
    this.boundary.addStatements(statement);
  }
}
