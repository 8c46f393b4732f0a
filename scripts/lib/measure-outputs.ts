import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

/**
 * What the limits are about, measured on the files a synthesis wrote: the CDK templates in
 * `cdk.out` and `.github/workflows/stages.yml`. Policy lengths are counted as IAM and ECR
 * count them (JSON without white space), with every `Ref` replaced by an ARN of the length
 * it resolves to (the OIDC provider's), so a measured trust policy is the deployed one.
 */
export interface OutputMeasures {
  readonly stacks: number;
  readonly largestTemplateBytes: number;
  readonly mostResources: number;
  readonly longestTrustPolicy: number;
  readonly largestRepositoryPolicy: number;
  readonly largestManagedPolicy: number;
  readonly workflowBytes: number;
  readonly jobs: number;
  readonly needsEdges: number;
  readonly largestMatrix: number;
}

const PROVIDER_ARN = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

function withoutRefs(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(withoutRefs);
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === 'Ref') {
      return PROVIDER_ARN;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, withoutRefs(v)]));
  }
  return value;
}

const length = (document: unknown) => JSON.stringify(withoutRefs(document)).length;

/** Measures the templates in `cdkOut` and the workflow file `workflow`. */
export function measureOutputs(cdkOut: string, workflow: string): OutputMeasures {
  const templates = readdirSync(cdkOut).filter(f => f.endsWith('.template.json')).map(f => join(cdkOut, f));
  let largestTemplateBytes = 0;
  let mostResources = 0;
  let longestTrustPolicy = 0;
  let largestRepositoryPolicy = 0;
  let largestManagedPolicy = 0;
  for (const file of templates) {
    largestTemplateBytes = Math.max(largestTemplateBytes, statSync(file).size);
    const resources: Record<string, any> = JSON.parse(readFileSync(file, 'utf-8')).Resources ?? {};
    mostResources = Math.max(mostResources, Object.keys(resources).length);
    for (const resource of Object.values(resources)) {
      const p = resource.Properties ?? {};
      if (resource.Type === 'AWS::IAM::Role') {
        longestTrustPolicy = Math.max(longestTrustPolicy, length(p.AssumeRolePolicyDocument));
      } else if (resource.Type === 'AWS::ECR::Repository' && p.RepositoryPolicyText) {
        largestRepositoryPolicy = Math.max(largestRepositoryPolicy, length(p.RepositoryPolicyText));
      } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
        largestManagedPolicy = Math.max(largestManagedPolicy, length(p.PolicyDocument));
      }
    }
  }

  let jobs = 0;
  let needsEdges = 0;
  let largestMatrix = 0;
  let workflowBytes = 0;
  if (existsSync(workflow)) {
    const text = readFileSync(workflow, 'utf-8');
    workflowBytes = Buffer.byteLength(text);
    const parsed = parse(text);
    for (const job of Object.values<any>(parsed.jobs ?? {})) {
      jobs++;
      needsEdges += job.needs === undefined ? 0 : [job.needs].flat().length;
      const axes = Object.values<any>(job.strategy?.matrix ?? {}).filter(Array.isArray);
      largestMatrix = Math.max(largestMatrix, axes.reduce((product, axis) => product * axis.length, axes.length > 0 ? 1 : 0));
    }
  }
  return {
    stacks: templates.length,
    largestTemplateBytes,
    mostResources,
    longestTrustPolicy,
    largestRepositoryPolicy,
    largestManagedPolicy,
    workflowBytes,
    jobs,
    needsEdges,
    largestMatrix,
  };
}
