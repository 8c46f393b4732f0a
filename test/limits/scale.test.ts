import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { measureOutputs, OutputMeasures } from '../../scripts/lib/measure-outputs';
import { SCALE_ORGANIZATION_ID, scaleTopology } from '../../scripts/lib/scale-topology';
import { StageApp } from '../../src/cdk';
import { StageProject } from '../../src/project';
import {
  CLOUDFORMATION_MAX_RESOURCES, CLOUDFORMATION_MAX_TEMPLATE_BYTES, ECR_REPOSITORY_POLICY_MAX_LENGTH, GITHUB_MATRIX_MAX_JOBS,
  GITHUB_WORKFLOW_MAX_BYTES, GITHUB_WORKFLOW_MAX_NEEDS_EDGES, IAM_MANAGED_POLICY_MAX_LENGTH, IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH,
  REPOSITORIES_PER_REGISTRY_STACK,
} from '../../src/topology/limits';
import { FILES } from '../../src/topology/naming';

// The platform-team size: 50 accounts, 10 stages, 200 image repositories. Both
// syntheses run as a consuming repository runs them (projen writes the files, the CDK app
// reads the generated topology), and every limit is measured on what they wrote.
describe('50 accounts x 10 stages x 200 repositories', () => {
  const scale = scaleTopology(50, 10, 200);
  const outdir = mkdtempSync(join(tmpdir(), 'stage-scale-'));
  let measures: OutputMeasures;
  let topology: any;
  let template: (id: string) => any;

  beforeAll(() => {
    const disabled = process.env.PROJEN_DISABLE_POST;
    // No dependency installation: the synthesis itself is what is under test.
    process.env.PROJEN_DISABLE_POST = 'true';
    try {
      new StageProject({
        name: 'fleet',
        defaultReleaseBranch: 'main',
        cdkVersion: '2.257.0',
        outdir,
        githubRepository: scale.githubRepository,
        topology: scale.topology,
      }).synth();
    } finally {
      if (disabled === undefined) {
        delete process.env.PROJEN_DISABLE_POST;
      } else {
        process.env.PROJEN_DISABLE_POST = disabled;
      }
    }
    const cdkOut = join(outdir, 'cdk.out');
    // What `npx cdk synth` does with the sample src/main.ts, with the CLI's metadata resource.
    const app = new App({ outdir: cdkOut, analyticsReporting: true });
    StageApp.fromFile(app, join(outdir, FILES.topology));
    const assembly = app.synth();
    template = id => assembly.getStackByName(id).template;
    topology = JSON.parse(readFileSync(join(outdir, FILES.topology), 'utf-8'));
    measures = measureOutputs(cdkOut, join(outdir, FILES.workflow));
  });

  test('splits the registry and writes one stack per account', () => {
    expect(topology.registry.stacks.map((s: any) => s.stackId)).toEqual(['stage-fleet-registry', 'stage-fleet-registry-2', 'stage-fleet-registry-3', 'stage-fleet-registry-4']);
    expect(topology.registry.stacks.every((s: any) => s.repositories.length === REPOSITORIES_PER_REGISTRY_STACK)).toBe(true);
    expect(measures.stacks).toBe(4 + 50);
    expect(topology.roles).toHaveLength(1 + 8 * 49);
  });

  test('the registry trusts the organization by id', () => {
    const repository: any = Object.values(template('stage-fleet-registry-3').Resources).find((r: any) => r.Type === 'AWS::ECR::Repository');
    const pull = repository.Properties.RepositoryPolicyText.Statement.find((s: any) => s.Sid === 'PullByStageRoles');
    expect(pull.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': SCALE_ORGANIZATION_ID });
  });

  test('every CloudFormation and IAM limit holds', () => {
    expect(measures.mostResources).toBeLessThanOrEqual(CLOUDFORMATION_MAX_RESOURCES);
    expect(measures.largestTemplateBytes).toBeLessThanOrEqual(CLOUDFORMATION_MAX_TEMPLATE_BYTES);
    expect(measures.longestTrustPolicy).toBeGreaterThan(0);
    expect(measures.longestTrustPolicy).toBeLessThanOrEqual(IAM_TRUST_POLICY_DEFAULT_MAX_LENGTH);
    expect(measures.largestManagedPolicy).toBeGreaterThan(0);
    expect(measures.largestManagedPolicy).toBeLessThanOrEqual(IAM_MANAGED_POLICY_MAX_LENGTH);
    expect(measures.largestRepositoryPolicy).toBeGreaterThan(0);
    expect(measures.largestRepositoryPolicy).toBeLessThanOrEqual(ECR_REPOSITORY_POLICY_MAX_LENGTH);
  });

  test('every GitHub limit holds', () => {
    expect(measures.workflowBytes).toBeLessThanOrEqual(GITHUB_WORKFLOW_MAX_BYTES);
    expect(measures.largestMatrix).toBe(29);
    expect(measures.largestMatrix).toBeLessThanOrEqual(GITHUB_MATRIX_MAX_JOBS);
    expect(measures.jobs).toBe(2 + 8 * 2);
    expect(measures.needsEdges).toBeLessThanOrEqual(GITHUB_WORKFLOW_MAX_NEEDS_EDGES);
  });
});
