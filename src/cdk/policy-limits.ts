import { boundaryStatements, imageAccessStatements, stagePolicyStatements, trustPolicyDocument } from './policies';
import {
  IAM_MANAGED_POLICY_MAX_LENGTH, IAM_ROLE_INLINE_POLICIES_MAX_LENGTH, IAM_TRUST_POLICY_QUOTA_CEILING, policyLength,
} from '../topology/limits';
import { StageTopology } from '../topology/model';

/** A limit a topology's policies exceed: the field to change and what to do. */
export interface PolicyLimitProblem {
  readonly path: string;
  readonly message: string;
}

const document = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

/**
 * Measures the policies the CDK app renders for a topology against IAM's size quotas:
 * each role's trust policy, its inline policies together, and each account's boundary
 * (a managed policy). Pure; validation calls it so nothing is written when one is over.
 *
 * @param trustPolicyMaxLength the trust policy length the accounts' quota allows
 */
export function policyLimitProblems(topology: StageTopology, trustPolicyMaxLength: number): PolicyLimitProblem[] {
  const problems: PolicyLimitProblem[] = [];
  for (const role of topology.roles) {
    const where = `topology.stages.${role.stage}`;
    const trust = policyLength(trustPolicyDocument(topology, role));
    if (trust > trustPolicyMaxLength) {
      const raise = trustPolicyMaxLength < IAM_TRUST_POLICY_QUOTA_CEILING
        ? `, or raise IAM's "Role trust policy length" quota in Service Quotas (up to ${IAM_TRUST_POLICY_QUOTA_CEILING}) and set topology.trustPolicyMaxLength`
        : '';
      problems.push({
        path: where,
        message: `the trust policy of role ${role.roleName} in account "${role.account}" is ${trust} characters; IAM allows ${trustPolicyMaxLength} (trust policy length quota). Shorten the stage, account or repository names, or turn off pullRequests${raise}`,
      });
    }
    const inline = [stagePolicyStatements(topology, role), imageAccessStatements(topology, role)]
      .filter(s => s.length > 0)
      .reduce((sum, statements) => sum + policyLength(document(statements)), 0);
    if (inline > IAM_ROLE_INLINE_POLICIES_MAX_LENGTH) {
      problems.push({
        path: `${where}.policyStatements`,
        message: `the inline policies of role ${role.roleName} in account "${role.account}" are ${inline} characters together; IAM allows ${IAM_ROLE_INLINE_POLICIES_MAX_LENGTH} per role (role policy size). Use wildcards or fewer statements, or attach managed policies through managedPolicyArns`,
      });
    }
  }
  for (const account of topology.accounts.filter(a => a.stackId !== undefined)) {
    const boundary = policyLength(document(boundaryStatements(topology, account.name)));
    if (boundary > IAM_MANAGED_POLICY_MAX_LENGTH) {
      const stages = topology.roles.filter(r => r.account === account.name).map(r => r.stage);
      problems.push({
        path: `topology.accounts.${account.name}`,
        message: `the permissions boundary ${account.boundaryPolicyName} in this account is ${boundary} characters; IAM allows ${IAM_MANAGED_POLICY_MAX_LENGTH} for a managed policy (managed policy size). It joins the policyStatements and permissionsBoundaryStatements of ${stages.join(', ')}: merge or shorten them (wildcards, fewer resources)`,
      });
    }
  }
  return problems;
}
