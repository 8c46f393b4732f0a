import { ONE_ACCOUNT, PROMOTION, ran, SEVEN_ACCOUNTS, simulate, synthesize, THREE_ACCOUNTS } from './support';

// Each job's `if:` is evaluated by @actions/expressions, GitHub's own evaluator, for the event;
// `simulate` only walks the needs graph and supplies the status functions.

describe('promotion pipeline: develop reaches dev, main reaches dev and prod', () => {
  const { workflow } = synthesize(PROMOTION);

  test('a push to main runs every job', () => {
    expect(ran(simulate(workflow, 'push-main'))).toEqual(['unit', 'build', 'deploy-dev', 'e2e', 'deploy-prod']);
  });

  test('a push to develop skips the production deploy instead of failing it', () => {
    const results = simulate(workflow, 'push-develop');
    expect(ran(results)).toEqual(['unit', 'build', 'deploy-dev', 'e2e']);
    expect(results['deploy-prod']).toBe('skipped');
  });

  test('a pull request runs only the stage without AWS access', () => {
    expect(ran(simulate(workflow, 'pull_request'))).toEqual(['unit']);
  });

  test('a manual run from a tag reaches no account', () => {
    expect(ran(simulate(workflow, 'dispatch-tag'))).toEqual(['unit']);
  });

  test('a failure stops everything after it', () => {
    expect(ran(simulate(workflow, 'push-main', ['unit']))).toEqual(['unit']);
    expect(ran(simulate(workflow, 'push-main', ['deploy-dev']))).toEqual(['unit', 'build', 'deploy-dev']);
  });
});

describe('three accounts, default pipeline', () => {
  const { workflow } = synthesize(THREE_ACCOUNTS);

  test('per event', () => {
    expect(ran(simulate(workflow, 'push-main'))).toEqual(['unit', 'build', 'e2e', 'deploy-dev', 'deploy-prod']);
    expect(ran(simulate(workflow, 'push-develop'))).toEqual(['unit', 'build', 'e2e', 'deploy-dev']);
    expect(ran(simulate(workflow, 'pull_request'))).toEqual(['unit']);
  });
});

describe('one account reachable from any branch, with a pull-request stage', () => {
  const { workflow } = synthesize(ONE_ACCOUNT);

  test('pushes to any branch run everything', () => {
    expect(ran(simulate(workflow, 'push-main'))).toEqual(['unit', 'build', 'e2e', 'deploy']);
    expect(ran(simulate(workflow, 'push-develop'))).toEqual(['unit', 'build', 'e2e', 'deploy']);
  });

  test('a pull request runs the pull-request stage although the jobs before it were skipped', () => {
    const results = simulate(workflow, 'pull_request');
    expect(ran(results)).toEqual(['unit', 'e2e']);
    expect(results.build).toBe('skipped');
  });
});

describe('seven accounts', () => {
  const { workflow } = synthesize(SEVEN_ACCOUNTS);

  test('a push to main skips the develop-only accounts and still promotes to production', () => {
    expect(ran(simulate(workflow, 'push-main'))).toEqual(['unit', 'build', 'deploy-qa', 'e2e-qa', 'deploy-staging-prod-us-prod-eu']);
  });

  test('a push to develop never reaches staging or production', () => {
    expect(ran(simulate(workflow, 'push-develop')))
      .toEqual(['unit', 'build', 'deploy-sandbox-scratch', 'e2e-sandbox-scratch', 'deploy-qa', 'e2e-qa']);
  });

  test('a pull request runs unit and the pull-request stage in non-production accounts', () => {
    expect(ran(simulate(workflow, 'pull_request'))).toEqual(['unit', 'e2e-sandbox-scratch', 'e2e-qa']);
  });

  test('a failed qa deploy stops production', () => {
    expect(simulate(workflow, 'push-main', ['deploy-qa'])['deploy-staging-prod-us-prod-eu']).toBe('skipped');
  });
});
