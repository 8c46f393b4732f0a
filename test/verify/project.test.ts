import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'projen';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { StageProject, StageProjectOptions } from '../../src/project';

function synth(overrides: Partial<StageProjectOptions> = {}) {
  return Testing.synth(new StageProject({
    name: 'weebler',
    defaultReleaseBranch: 'main',
    cdkVersion: '2.257.0',
    outdir: mkdtempSync(join(tmpdir(), 'stage-project-verify-')),
    githubRepository: { owner: 'widgetfactory', repository: 'weebler' },
    topology: EXAMPLE_TOPOLOGY,
    ...overrides,
  }));
}

describe('the stage:verify task of a consuming repository', () => {
  test('synthesizes, then verifies and writes docs/ACCESS.md; the simulator packages are its devDependencies', () => {
    const out = synth();
    expect(out['.projen/tasks.json'].tasks['stage:verify'].steps).toEqual([
      { spawn: 'synth:silent' },
      { exec: 'stage-project verify --markdown docs/ACCESS.md', receiveArgs: true },
    ]);
    expect(out['package.json'].devDependencies).toMatchObject({
      '@cloud-copilot/iam-simulate': '^0.1.173',
      '@cloud-copilot/iam-policy': '^0.1.109',
    });
    expect(out['package.json'].dependencies ?? {}).not.toHaveProperty('@cloud-copilot/iam-simulate');
    expect(out['.gitattributes']).toMatch(/^\/docs\/ACCESS\.md linguist-generated$/m);
  });

  test('verify: false leaves out the task and the packages', () => {
    const out = synth({ verify: false });
    expect(out['.projen/tasks.json'].tasks['stage:verify']).toBeUndefined();
    expect(out['package.json'].devDependencies).not.toHaveProperty('@cloud-copilot/iam-simulate');
  });

  test('a stage named verify would take the task\'s name: a topology error', () => {
    const topology = { ...EXAMPLE_TOPOLOGY, stages: { ...EXAMPLE_TOPOLOGY.stages, verify: {} }, pipeline: undefined };
    expect(() => synth({ topology })).toThrow(/topology\.stages\.verify: the stage's task would be stage:verify/);
    expect(() => synth({ topology, verify: false })).not.toThrow();
  });
});
