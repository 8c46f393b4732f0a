import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { fullTopology, synth, ValidationReport } from './fixtures';
import { StageApp } from '../../src/cdk';

/**
 * `Validations.acknowledge` in aws-cdk-lib 2.257 rejects ids with more than one "::",
 * which every cdk-nag finding on an ARN has (`Resource::arn:aws:iam::*:...`). Those are
 * recorded as the same acknowledged-rules metadata that `acknowledge` writes and
 * cdk-nag reads.
 */
function acknowledge(construct: IConstruct, id: string, reason: string) {
  if (id.split('::').length > 2) {
    construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
  } else {
    Validations.of(construct).acknowledge({ id, reason });
  }
}

/**
 * Findings that come from the test topology's own choices, each acknowledged on the
 * construct it is about, with the reason a reviewer would accept.
 */
function acknowledgeTopologyChoices(_: App, stageApp: StageApp) {
  for (const account of ['dev', 'prod']) {
    const stack = stageApp.accountStack(account);
    acknowledge(stack.stageRole('deploy').role, 'AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/cdk-hnb659fds-*]',
      'deploy assumes the CDK bootstrap roles of its target account; the qualifier pins them');
    acknowledge(stack.boundary.policy, 'AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/cdk-hnb659fds-*]',
      'the boundary mirrors the deploy stage statement above');
    for (const type of ['role', 'user', 'policy', 'oidc-provider']) {
      acknowledge(stack.boundary.policy, `AwsSolutions-IAM5[Resource::arn:aws:iam::*:${type}/*]`,
        'boundary statement that lets the test prove the explicit denies win over a stage allowing IAM');
    }
  }
  acknowledge(stageApp.stageRole('e2e', 'dev').role, 'AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/ReadOnlyAccess]',
    'end-to-end tests read the dev account; the boundary caps the managed policy');
}

function violations(report: ValidationReport) {
  return report.pluginReports.flatMap(r => r.violations.map(v => ({
    plugin: r.summary.pluginName,
    rule: v.ruleName,
    at: v.violatingResources.map((x: any) => x.constructPath ?? x.resourceLogicalId),
  })));
}

describe('cdk-nag and cfn-guard on a topology with every option', () => {
  const synthesized = synth(fullTopology(), { staticChecks: true, customise: acknowledgeTopologyChoices });

  test('both plugins ran and report no unacknowledged finding', () => {
    expect(violations(synthesized.validation!)).toEqual([]);
    const reports = synthesized.pluginReports;
    expect(Object.keys(reports).sort()).toEqual(['AwsSolutions', 'cdk-validator-cfnguard']);
    for (const report of Object.values(reports)) {
      expect(report).toEqual(expect.objectContaining({ success: true, violations: [] }));
    }
  });
});

describe('the checks catch a role that breaks the rules', () => {
  // One GitHub-trusted role as the widely copied examples write it: a repository-wide
  // wildcard subject, no audience, no boundary, admin access.
  const synthesized = synth(fullTopology(), {
    staticChecks: true,
    customise: (app, stageApp) => {
      acknowledgeTopologyChoices(app, stageApp);
      const stack = stageApp.accountStack('prod');
      new iam.Role(stack, 'Widened', {
        assumedBy: new iam.FederatedPrincipal(stack.oidcProvider.providerArn, {
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:widgetfactory/wobbler:*' },
        }, 'sts:AssumeRoleWithWebIdentity'),
        inlinePolicies: {
          admin: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })] }),
        },
      });
    },
  });

  test('our guard rules flag the missing audience, the wildcard subject and the missing boundary', () => {
    const found = violations(synthesized.validation!).filter(v => v.plugin === 'cdk-validator-cfnguard');
    const ours = found.filter(v => v.rule.startsWith('stage_project_'));
    expect(ours.map(v => v.rule).sort()).toEqual([
      'stage_project_github_role_has_boundary',
      'stage_project_github_trust_exact_subject',
      'stage_project_github_trust_pins_audience',
    ]);
    for (const v of ours) {
      expect(v.at).toEqual([expect.stringMatching(/^Widened/)]);
    }
  });

  test('Control Tower rules and cdk-nag flag the admin policy', () => {
    const found = violations(synthesized.validation!);
    expect(found).toContainEqual(expect.objectContaining({ plugin: 'cdk-validator-cfnguard', rule: 'iam_inline_policy_no_statements_with_admin_access_check' }));
    expect(found).toContainEqual(expect.objectContaining({ plugin: 'AwsSolutions', rule: 'AwsSolutions-IAM5[Action::*]', at: ['stage-wobbler-roles-prod/Widened/Resource'] }));
  });
});
