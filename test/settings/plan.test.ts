import { EnvironmentSettings, StageSettingsDocument } from '../../src/settings/document';
import { LiveEnvironment, LiveState, ResolvedReviewer } from '../../src/settings/live';
import { computePlan, subjectChanges } from '../../src/settings/plan';

const TEAM: ResolvedReviewer = { type: 'Team', id: 7 };
const REVIEWERS = new Map([['org/platform', TEAM]]);

function envSettings(overrides: Partial<EnvironmentSettings> = {}): EnvironmentSettings {
  return {
    name: 'deploy-prod',
    wait_timer: 0,
    prevent_self_review: true,
    reviewers: ['org/platform'],
    deployment_branch_policy: { custom_branch_policies: ['main'] },
    variables: { AWS_REGION: 'us-east-1' },
    ...overrides,
  };
}

function doc(overrides: Partial<StageSettingsDocument> = {}): StageSettingsDocument {
  return {
    schemaVersion: 1,
    repository: { owner: 'org', name: 'app', topics: ['stage-project'] },
    oidc: { use_default: true, include_claim_keys: [], use_immutable_subject: false },
    environments: [envSettings()],
    ...overrides,
  };
}

/** The live twin of `envSettings()`: in sync. */
function liveEnv(overrides: Partial<LiveEnvironment> = {}): LiveEnvironment {
  return {
    name: 'deploy-prod',
    waitTimer: 0,
    preventSelfReview: true,
    reviewers: [{ type: 'Team', id: 7, label: 'platform' }],
    branchPolicy: 'custom',
    branchPolicies: [{ id: 1, name: 'main', type: 'branch' }],
    variables: { AWS_REGION: 'us-east-1' },
    ...overrides,
  };
}

function live(overrides: Partial<LiveState> & { envs?: LiveEnvironment[] } = {}): LiveState {
  const envs = overrides.envs ?? [liveEnv()];
  return {
    oidc: { use_default: true, include_claim_keys: [], use_immutable_subject: false },
    topics: ['stage-project'],
    environments: new Map(envs.map(e => [e.name.toLowerCase(), e])),
    ...overrides,
  };
}

const ops = (plan: ReturnType<typeof computePlan>) => plan.changes.map(c => c.write.op);

describe('computePlan', () => {
  test('in sync: no changes', () => {
    expect(computePlan(doc(), live(), REVIEWERS).changes).toEqual([]);
  });

  test('a new environment is created with custom_branch_policies before its policies and variables', () => {
    const plan = computePlan(doc(), live({ envs: [] }), REVIEWERS);
    expect(ops(plan)).toEqual(['putEnvironment', 'createBranchPolicy', 'createVariable']);
    expect(plan.changes[0].write).toEqual({
      op: 'putEnvironment',
      environment: 'deploy-prod',
      body: { wait_timer: 0, prevent_self_review: true, reviewers: [{ type: 'Team', id: 7 }], deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } },
    });
  });

  test('an environment switched from protected branches to custom gets the switch first, then every policy', () => {
    const plan = computePlan(doc(), live({ envs: [liveEnv({ branchPolicy: 'protected', branchPolicies: [] })] }), REVIEWERS);
    expect(ops(plan)).toEqual(['putEnvironment', 'createBranchPolicy']);
    expect(plan.changes[0].detail).toBe('branch policy protected -> custom branches');
  });

  test('environment names match case-insensitively, and writes address the name GitHub has', () => {
    const plan = computePlan(doc(), live({ envs: [liveEnv({ name: 'Deploy-Prod', waitTimer: 5 })] }), REVIEWERS);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0].write).toMatchObject({ op: 'putEnvironment', environment: 'Deploy-Prod' });
    expect(plan.warnings).toEqual([expect.stringContaining('exists as "Deploy-Prod"')]);
  });

  test('prevent_self_review without reviewers is not compared (GitHub keeps it on the reviewers rule)', () => {
    const desired = doc({ environments: [envSettings({ reviewers: [], prevent_self_review: true })] });
    const plan = computePlan(desired, live({ envs: [liveEnv({ reviewers: [], preventSelfReview: false })] }), REVIEWERS);
    expect(plan.changes).toEqual([]);
  });

  test('reviewers are compared by id, and the change names who is added and removed', () => {
    const reviewers = new Map([...REVIEWERS, ['octocat', { type: 'User' as const, id: 1 }]]);
    const desired = doc({ environments: [envSettings({ reviewers: ['octocat'] })] });
    const plan = computePlan(desired, live(), reviewers);
    expect(plan.changes.map(c => c.detail)).toEqual(['reviewers +octocat -platform']);
  });

  test('an unwanted branch policy is renamed into a missing one; tag policies are deleted', () => {
    const desired = doc({ environments: [envSettings({ deployment_branch_policy: { custom_branch_policies: ['main', 'release'] } })] });
    const current = liveEnv({
      branchPolicies: [{ id: 1, name: 'main', type: 'branch' }, { id: 2, name: 'feature/x', type: 'branch' }, { id: 3, name: 'v*', type: 'tag' }],
    });
    const plan = computePlan(desired, live({ envs: [current] }), REVIEWERS);
    expect(plan.changes.map(c => c.write)).toEqual([
      { op: 'renameBranchPolicy', environment: 'deploy-prod', id: 2, name: 'release' },
      { op: 'deleteBranchPolicy', environment: 'deploy-prod', id: 3 },
    ]);
  });

  test('variables compare case-insensitively by name and exactly by value; other variables are left alone', () => {
    const current = liveEnv({ variables: { AWS_REGION: 'eu-west-1', OTHER: 'kept' } });
    const desired = doc({ environments: [envSettings({ variables: { aws_region: 'us-east-1', AWS_ACCOUNT_ID: '1' } })] });
    const plan = computePlan(desired, live({ envs: [current] }), REVIEWERS);
    expect(plan.changes.map(c => c.write)).toEqual([
      { op: 'updateVariable', environment: 'deploy-prod', name: 'aws_region', value: 'us-east-1' },
      { op: 'createVariable', environment: 'deploy-prod', name: 'AWS_ACCOUNT_ID', value: '1' },
    ]);
  });

  test('a missing topic is added without dropping the others', () => {
    const plan = computePlan(doc(), live({ topics: ['payments'] }), REVIEWERS);
    expect(plan.changes.map(c => c.write)).toEqual([{ op: 'setTopics', names: ['payments', 'stage-project'] }]);
  });

  describe('OIDC', () => {
    test('an org-inherited template reported with the org keys is no diff when the file opts into it', () => {
      const desired = doc({ oidc: { use_default: false, include_claim_keys: [], use_immutable_subject: false } });
      const current = live({ oidc: { use_default: false, include_claim_keys: ['repo', 'context', 'job_workflow_ref'], use_immutable_subject: false } });
      expect(computePlan(desired, current, REVIEWERS).changes).toEqual([]);
    });

    test('explicit keys equal to the inherited ones are no diff; different keys are', () => {
      const current = live({ oidc: { use_default: false, include_claim_keys: ['repo', 'context'], use_immutable_subject: false } });
      const same = doc({ oidc: { use_default: false, include_claim_keys: ['repo', 'context'], use_immutable_subject: false } });
      expect(computePlan(same, current, REVIEWERS).changes).toEqual([]);
      const other = doc({ oidc: { use_default: false, include_claim_keys: ['repo', 'environment'], use_immutable_subject: false } });
      expect(computePlan(other, current, REVIEWERS).changes.map(c => c.write)).toEqual([
        { op: 'setOidc', body: { use_default: false, include_claim_keys: ['repo', 'environment'], use_immutable_subject: false } },
      ]);
    });

    test('a repository on its org template while the trust expects the default is a guarded subject change', () => {
      const current = live({ oidc: { use_default: false, include_claim_keys: ['repo', 'context', 'job_workflow_ref'], use_immutable_subject: false } });
      const plan = computePlan(doc(), current, REVIEWERS);
      expect(subjectChanges(plan).map(c => c.write)).toEqual([{ op: 'setOidc', body: { use_default: true, use_immutable_subject: false } }]);
      expect(plan.changes[0].detail).toBe('claim keys repo,context,job_workflow_ref, name-based subjects -> default template, name-based subjects');
      expect(plan.warnings[0]).toMatch(/trust must accept the new format before this is applied.*--allow-subject-change/);
    });

    test('switching to immutable subjects is a subject change', () => {
      const desired = doc({ oidc: { use_default: true, include_claim_keys: [], use_immutable_subject: true } });
      const plan = computePlan(desired, live(), REVIEWERS);
      expect(subjectChanges(plan)).toHaveLength(1);
      expect(plan.changes[0].detail).toBe('default template, name-based subjects -> default template, immutable subjects');
    });
  });
});
