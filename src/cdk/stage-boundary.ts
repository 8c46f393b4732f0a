import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { boundaryStatements } from './policies';
import { IAM_MANAGED_POLICY_MAX_LENGTH, policyLength } from '../topology/limits';
import { StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/**
 * Properties of {@link StageBoundary}.
 */
export interface StageBoundaryProps {
  /**
   * The normalised topology.
   */
  readonly topology: StageTopology;

  /**
   * The account (a name in `topology.accounts`) whose stage roles this boundary caps.
   */
  readonly account: string;
}

/**
 * The permissions boundary of one repository's stage roles in one account: a managed
 * policy that allows the union of the account's stages' needs and explicitly denies IAM
 * escalation, changes to the OIDC provider, and `organizations:*` / `account:*`.
 *
 * Managed policies attached to a stage are capped by it too: list what they must keep
 * in the stage's `permissionsBoundaryStatements`.
 */
export class StageBoundary extends Construct {
  /** The boundary policy. */
  public readonly policy: iam.ManagedPolicy;
  /** Its ARN, computed from the topology (the same ARN the deny statements name). */
  public readonly policyArn: string;

  constructor(scope: Construct, id: string, props: StageBoundaryProps) {
    super(scope, id);
    const account = props.topology.accounts.find(a => a.name === props.account);
    if (!account) {
      throw new Error(`StageBoundary: account "${props.account}" is not in the topology (known: ${props.topology.accounts.map(a => a.name).join(', ')})`);
    }
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: account.boundaryPolicyName,
      path: naming.rolePath(props.topology.github),
      description: `Permissions boundary of ${props.topology.github.fullName}'s stage roles in ${account.name}`,
      document: iam.PolicyDocument.fromJson({
        Version: '2012-10-17',
        Statement: boundaryStatements(props.topology, props.account),
      }),
    });
    this.policyArn = account.boundaryPolicyArn;
    // Validation measured the boundary from the topology; statements the app adds count too.
    this.node.addValidation({
      validate: () => {
        const length = policyLength(Stack.of(this).resolve(this.policy.document.toJSON()));
        return length > IAM_MANAGED_POLICY_MAX_LENGTH
          ? [`the permissions boundary ${account.boundaryPolicyName} is ${length} characters; IAM allows ${IAM_MANAGED_POLICY_MAX_LENGTH} for a managed policy (managed policy size). Merge or shorten the statements given to addToStagePolicy and the stages' policyStatements and permissionsBoundaryStatements`]
          : [];
      },
    });
    if (props.topology.roles.some(r => r.account === account.name && r.pull) && props.topology.repositories.length > 0) {
      Validations.of(this.policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken accepts only "*". A boundary grants nothing itself: it caps the stage roles, whose own policies are checked.',
      });
    }
  }

  /**
   * Allows more in the boundary, for extra policy added to a stage role in the app.
   * The explicit denies still win.
   */
  public addStatements(...statements: iam.PolicyStatement[]): void {
    this.policy.addStatements(...statements);
  }
}
