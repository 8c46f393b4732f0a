import { Duration, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { imageAccessStatements, stagePolicyStatements, trustConditions } from './policies';
import { StageRoleSpec, StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/**
 * Properties of {@link StageRole}.
 */
export interface StageRoleProps {
  /**
   * The normalised topology.
   */
  readonly topology: StageTopology;

  /**
   * The stage (a name in `topology.stages`).
   */
  readonly stage: string;

  /**
   * The account (a name in `topology.accounts`); the topology must have a role for this (stage, account).
   */
  readonly account: string;

  /**
   * GitHub's OIDC provider in the role's account.
   */
  readonly oidcProvider: iam.IOidcProvider;

  /**
   * The permissions boundary attached to the role.
   */
  readonly permissionsBoundary: iam.IManagedPolicy;
}

/**
 * The IAM role of one (stage, account). Only GitHub's OIDC provider may assume it, with
 * audience `sts.amazonaws.com` and one of the exact subjects the topology derived for the
 * stage's environment; sessions last at most one hour and the boundary caps it.
 */
export class StageRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;
  /** The topology's entry for this role: names, environment, subjects. */
  public readonly spec: StageRoleSpec;

  constructor(scope: Construct, id: string, props: StageRoleProps) {
    super(scope, id);
    const { topology } = props;
    const spec = topology.roles.find(r => r.stage === props.stage && r.account === props.account);
    if (!spec) {
      const known = topology.roles.map(r => `${r.stage}/${r.account}`).join(', ');
      throw new Error(`StageRole: the topology has no role for stage "${props.stage}" in account "${props.account}" (roles: ${known || 'none'})`);
    }
    this.spec = spec;
    const stage = topology.stages.find(s => s.name === spec.stage)!;
    const statements = stagePolicyStatements(topology, spec);

    this.role = new iam.Role(this, 'Resource', {
      roleName: spec.roleName,
      path: spec.rolePath,
      description: `Stage ${spec.stage} of ${topology.github.fullName} in ${spec.account}, assumed from GitHub environment ${spec.environment}`,
      assumedBy: new iam.FederatedPrincipal(
        props.oidcProvider.openIdConnectProviderArn,
        trustConditions(topology, spec),
        'sts:AssumeRoleWithWebIdentity',
      ),
      maxSessionDuration: Duration.hours(1),
      permissionsBoundary: props.permissionsBoundary,
      managedPolicies: stage.managedPolicyArns.map((arn, i) => iam.ManagedPolicy.fromManagedPolicyArn(this, `ManagedPolicy${i}`, arn)),
      inlinePolicies: statements.length > 0
        ? { StagePolicy: iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: statements }) }
        : undefined,
    });
    Tags.of(this.role).add(naming.TAG_REPOSITORY, topology.github.fullName);
    Tags.of(this.role).add(naming.TAG_STAGE, spec.stage);
    Tags.of(this.role).add(naming.TAG_ACCOUNT, spec.account);

    const images = imageAccessStatements(topology, spec);
    if (images.length > 0) {
      // A policy of its own, so the acknowledgement below cannot hide a "*" in the stage's own statements.
      const imageAccess = new iam.Policy(this, 'ImageAccess', {
        policyName: 'ImageAccess',
        roles: [this.role],
        document: iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: images }),
      });
      Validations.of(imageAccess).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken has no resource type; IAM only accepts "*" for it. Image actions are scoped to the repository ARNs.',
      });
    }
  }

  /**
   * Adds a statement to the role's policy. The account's boundary must allow it too:
   * `AccountStagesStack.addToStagePolicy` does both.
   */
  public addToPolicy(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
