import { NamedPolicy, PolicyJson } from './simulator';
import { StageTopology } from '../topology/model';

/**
 * Synthesized CloudFormation templates as IAM will see them once deployed: references
 * replaced by the concrete ARNs the topology names, so the policies can be simulated.
 */

export interface CfnTemplate {
  readonly Resources: { [logicalId: string]: { readonly Type: string; readonly Properties?: any } };
}

/** Values CloudFormation would substitute when the stack deploys. */
export interface DeployContext {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** Concrete value (an ARN) of each `Ref` to a resource of the template. */
  readonly refs: { [logicalId: string]: string };
}

/**
 * Replaces `Ref`, `Fn::GetAtt ... Arn`, `Fn::Join` and the pseudo parameters with
 * concrete strings, so a policy can be simulated as IAM will see it.
 */
export function resolveIntrinsics(value: any, context: DeployContext): any {
  if (Array.isArray(value)) {
    return value.map(v => resolveIntrinsics(v, context));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const pseudo: { [name: string]: string } = {
      'AWS::Partition': context.partition,
      'AWS::AccountId': context.accountId,
      'AWS::Region': context.region,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    const resolved = pseudo[value.Ref] ?? context.refs[value.Ref];
    if (resolved === undefined) {
      throw new Error(`cannot resolve {"Ref": "${value.Ref}"}: no concrete value known`);
    }
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    if (attribute === 'Arn' && context.refs[logicalId] !== undefined) {
      return context.refs[logicalId];
    }
    throw new Error(`cannot resolve {"Fn::GetAtt": ["${logicalId}", "${attribute}"]}`);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'];
    return resolveIntrinsics(parts, context).join(separator);
  }
  const out: { [key: string]: any } = {};
  for (const key of keys) {
    out[key] = resolveIntrinsics(value[key], context);
  }
  return out;
}

/**
 * The concrete ARN of every named resource a stage stack creates, computed from the
 * topology (the same names the constructs were given).
 */
export function stageStackContext(template: CfnTemplate, topology: StageTopology, accountName: string): DeployContext {
  const account = topology.accounts.find(a => a.name === accountName);
  if (!account) {
    throw new Error(`unknown account "${accountName}"`);
  }
  const refs: { [logicalId: string]: string } = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::OIDCProvider') {
      refs[logicalId] = account.oidcProviderArn;
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy' && props.ManagedPolicyName === account.boundaryPolicyName) {
      refs[logicalId] = account.boundaryPolicyArn;
    } else if (resource.Type === 'AWS::IAM::Role' && typeof props.RoleName === 'string') {
      refs[logicalId] = `arn:${topology.partition}:iam::${account.id}:role${props.Path ?? '/'}${props.RoleName}`;
    }
  }
  return { partition: topology.partition, accountId: account.id, region: account.region, refs };
}

/** A stage role as IAM evaluates it: trust, identity policies and boundary, with every reference resolved. */
export interface RoleDocuments {
  readonly roleArn: string;
  readonly trust: PolicyJson;
  readonly identityPolicies: NamedPolicy[];
  /** Managed policies attached by ARN, whose documents are not in the template. */
  readonly managedPolicyArns: string[];
  readonly boundary?: PolicyJson;
}

/** Names of the roles a template creates. */
export function roleNames(template: CfnTemplate): string[] {
  return Object.values(template.Resources)
    .filter(r => r.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string')
    .map(r => r.Properties.RoleName);
}

/** The documents of the role named `roleName` in a synthesized stage stack. */
export function roleDocuments(template: CfnTemplate, context: DeployContext, roleName: string): RoleDocuments {
  const entry = Object.entries(template.Resources)
    .find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName);
  if (!entry) {
    throw new Error(`no role named "${roleName}" in the template`);
  }
  const [logicalId, role] = entry;
  const props = resolveIntrinsics(role.Properties, context);
  const identityPolicies: NamedPolicy[] = (props.Policies ?? [])
    .map((p: any) => ({ name: p.PolicyName, policy: p.PolicyDocument }));
  for (const resource of Object.values(template.Resources)) {
    const attached = resource.Type === 'AWS::IAM::Policy'
      && (resource.Properties?.Roles ?? []).some((r: any) => r?.Ref === logicalId);
    if (attached) {
      const policy = resolveIntrinsics(resource.Properties, context);
      identityPolicies.push({ name: policy.PolicyName, policy: policy.PolicyDocument });
    }
  }
  let boundary: PolicyJson | undefined;
  if (props.PermissionsBoundary) {
    const found = Object.entries(template.Resources)
      .find(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && context.refs[id] === props.PermissionsBoundary);
    if (!found) {
      throw new Error(`role "${roleName}" names boundary ${props.PermissionsBoundary}, which is not in the template`);
    }
    boundary = resolveIntrinsics(found[1].Properties.PolicyDocument, context);
  }
  return {
    roleArn: context.refs[logicalId],
    trust: props.AssumeRolePolicyDocument,
    identityPolicies,
    managedPolicyArns: props.ManagedPolicyArns ?? [],
    boundary,
  };
}

/** The repository policy of `repositoryName` in the synthesized registry stack that holds it. */
export function repositoryPolicy(template: CfnTemplate, repositoryName: string): PolicyJson {
  const found = Object.values(template.Resources)
    .find(r => r.Type === 'AWS::ECR::Repository' && r.Properties?.RepositoryName === repositoryName);
  if (!found?.Properties?.RepositoryPolicyText) {
    throw new Error(`no policy for repository "${repositoryName}" in the template`);
  }
  return found.Properties.RepositoryPolicyText;
}
