import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { exampleTopology, fullTopology, synth } from './fixtures';
import { AccountStagesStack, RegistryStack, StageApp } from '../../src/cdk';

const AUD = 'token.actions.githubusercontent.com:aud';
const SUB = 'token.actions.githubusercontent.com:sub';
const REPO_ID = 'token.actions.githubusercontent.com:repository_id';

describe('the example topology', () => {
  const topology = exampleTopology();
  const synthesized = synth(topology);
  const dev = Template.fromJSON(synthesized.template('stage-weebler-roles-dev'));
  const registry = Template.fromJSON(synthesized.template('stage-weebler-registry'));

  test('one registry stack and one stage stack per account with roles, ids and env from the topology', () => {
    expect(synthesized.assembly.stacks.map(s => [s.stackName, s.environment.account, s.environment.region]).sort()).toEqual([
      ['stage-weebler-registry', '111111111111', 'us-east-1'],
      ['stage-weebler-roles-dev', '222222222222', 'us-east-1'],
      ['stage-weebler-roles-prod', '333333333333', 'us-east-1'],
      ['stage-weebler-roles-tools', '111111111111', 'us-east-1'],
    ]);
  });

  test('a native OIDC provider for GitHub, without thumbprints', () => {
    dev.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    dev.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
      ThumbprintList: Match.absent(),
    });
    dev.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('each role trusts only the provider, with the exact audience and subject of its environment', () => {
    dev.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'weebler-deploy',
      Path: '/stage-project/weebler/',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: Match.stringLikeRegexp('^GitHubOidcProvider') } },
          Condition: {
            StringEquals: {
              [AUD]: 'sts.amazonaws.com',
              [SUB]: ['repo:example-org/weebler:environment:deploy-dev'],
              [REPO_ID]: Match.absent(),
            },
            StringLike: Match.absent(),
          },
        }],
      },
    });
  });

  test('every role carries the boundary and the audit tags', () => {
    const roles = dev.findResources('AWS::IAM::Role');
    const boundary = Object.keys(dev.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'weebler-stage-boundary' } }));
    expect(boundary).toHaveLength(1);
    expect(Object.values(roles)).toHaveLength(2);
    for (const role of Object.values(roles)) {
      expect(role.Properties.PermissionsBoundary).toEqual({ Ref: boundary[0] });
      expect(role.Properties.Tags).toEqual(expect.arrayContaining([
        { Key: 'StageProject:Repository', Value: 'example-org/weebler' },
        { Key: 'StageProject:Account', Value: 'dev' },
        { Key: 'StageProject:Stage', Value: expect.stringMatching(/^(e2e|deploy)$/) },
      ]));
    }
  });

  test('the boundary sits at the role path with the name the topology computed', () => {
    dev.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'weebler-stage-boundary',
      Path: '/stage-project/weebler/',
    });
  });

  test('pull roles may log in and pull, but not push', () => {
    const images = dev.findResources('AWS::IAM::Policy', { Properties: { PolicyName: 'ImageAccess' } });
    const statements = Object.values(images).flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'PullImages', Resource: 'arn:aws:ecr:us-east-1:111111111111:repository/example/app' }));
    expect(JSON.stringify(statements)).not.toMatch(/PutImage|UploadLayerPart|InitiateLayerUpload|CompleteLayerUpload/);
  });

  test('the push role in the registry account gets the upload actions on the repositories only', () => {
    const tools = Template.fromJSON(synthesized.template('stage-weebler-roles-tools'));
    tools.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: 'ImageAccess',
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'PushImages',
          Effect: 'Allow',
          Action: ['ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
          Resource: 'arn:aws:ecr:us-east-1:111111111111:repository/example/app',
        }]),
      },
    });
  });

  test('the stage statements land in the role policy', () => {
    dev.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'weebler-deploy',
      Policies: [{
        PolicyName: 'StagePolicy',
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/cdk-hnb659fds-*' }] },
      }],
    });
  });

  test('repositories scan on push, have immutable tags and the default lifecycle', () => {
    registry.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'example/app',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
    });
    const repo = Object.values(registry.findResources('AWS::ECR::Repository'))[0];
    expect(repo.DeletionPolicy).toBe('Retain');
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({ selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' }) }),
      expect.objectContaining({ selection: expect.objectContaining({ tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 100 }) }),
    ]);
  });

  test('the repository policy names accounts and narrows them to the computed role ARNs', () => {
    const statements = Object.values(registry.findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText.Statement;
    expect(statements).toContainEqual(expect.objectContaining({
      Sid: 'PullByStageRoles',
      Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'] },
      Condition: {
        StringEquals: {
          'aws:PrincipalArn': [
            'arn:aws:iam::111111111111:role/stage-project/weebler/weebler-build',
            'arn:aws:iam::222222222222:role/stage-project/weebler/weebler-e2e',
            'arn:aws:iam::222222222222:role/stage-project/weebler/weebler-deploy',
            'arn:aws:iam::333333333333:role/stage-project/weebler/weebler-deploy',
          ],
        },
      },
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Sid: 'PushByStageRoles',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Condition: { StringEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/stage-project/weebler/weebler-build'] } },
    }));
    expect(statements).toContainEqual({
      Sid: 'LambdaPull',
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Condition: { StringEquals: { 'aws:SourceAccount': ['111111111111', '222222222222', '333333333333'] } },
    });
    expect(JSON.stringify(statements)).not.toMatch(/PrincipalOrgID/);
  });

  test('no stack references another: the registry policy deploys before the roles exist', () => {
    for (const stack of synthesized.assembly.stacks) {
      expect(JSON.stringify(stack.template)).not.toMatch(/Fn::ImportValue/);
    }
  });
});

describe('a topology with every option', () => {
  const topology = fullTopology();
  const synthesized = synth(topology, { untaggedImageExpiryDays: 3, maxTaggedImages: 20 });
  const dev = Template.fromJSON(synthesized.template('stage-wobbler-roles-dev'));
  const tools = Template.fromJSON(synthesized.template('stage-wobbler-roles-tools'));
  const prod = Template.fromJSON(synthesized.template('stage-wobbler-roles-prod'));

  test('stacks go to each account\'s own region, the registry to the registry\'s', () => {
    expect(synthesized.assembly.stacks.map(s => [s.stackName, s.environment.region]).sort()).toEqual([
      ['stage-wobbler-registry', 'us-east-2'],
      ['stage-wobbler-roles-dev', 'eu-west-1'],
      ['stage-wobbler-roles-prod', 'us-east-1'],
      ['stage-wobbler-roles-tools', 'us-east-2'],
    ]);
  });

  test('an account with an existing provider imports it instead of creating a second one', () => {
    dev.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    dev.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Federated: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com' },
        })],
      },
    });
    prod.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  test('known ids add the immutable subject and pin repository_id', () => {
    prod.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: {
              [AUD]: 'sts.amazonaws.com',
              [SUB]: ['repo:widgetfactory/wobbler:environment:deploy-prod', 'repo:widgetfactory@4242/wobbler@987654:environment:deploy-prod'],
              [REPO_ID]: '987654',
            },
          },
        })],
      },
    });
  });

  test('pull_request subjects appear only for stages that opted in', () => {
    tools.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'wobbler-build',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: Match.objectLike({
              [SUB]: [
                'repo:widgetfactory/wobbler:environment:build-tools',
                'repo:widgetfactory@4242/wobbler@987654:environment:build-tools',
                'repo:widgetfactory/wobbler:pull_request',
                'repo:widgetfactory@4242/wobbler@987654:pull_request',
              ],
            }),
          },
        })],
      },
    });
    for (const template of [dev, prod]) {
      const deploy = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'wobbler-deploy' } }))[0];
      expect(JSON.stringify(deploy.Properties.AssumeRolePolicyDocument)).not.toMatch(/pull_request/);
    }
  });

  test('managed policies are attached to their stage\'s role', () => {
    dev.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'wobbler-e2e',
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
  });

  test('the boundary is the union of the account\'s stages, then the explicit denies', () => {
    const boundary = Object.values(dev.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;
    const sids = boundary.map((s: any) => s.Sid);
    expect(sids).toEqual([
      'CdkBootstrapRoles', 'EcrLogin', 'PullImages', 'ReadOnlyAccessKept', 'IamForDeploys',
      'DenyLongLivedCredentials', 'DenyStageRoleChanges', 'DenyBoundaryChanges', 'DenyBoundaryRemoval',
      'DenyRolesWithoutBoundary', 'DenyOidcProviderChanges', 'DenyAccountAndOrganizations',
    ]);
    // The stage's own Deny belongs in its role policy; a Deny in the boundary would also bind sibling stages.
    expect(JSON.stringify(boundary)).not.toMatch(/s3:DeleteBucket/);
    expect(boundary).toContainEqual({
      Sid: 'DenyRolesWithoutBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::222222222222:policy/stage-project/wobbler/wobbler-stage-boundary' } },
    });
    expect(boundary).toContainEqual({ Sid: 'DenyAccountAndOrganizations', Effect: 'Deny', Action: ['account:*', 'organizations:*'], Resource: '*' });
  });

  test('the push actions exist only in the registry account', () => {
    expect(JSON.stringify(dev.toJSON())).not.toMatch(/ecr:PutImage/);
    expect(JSON.stringify(prod.toJSON())).not.toMatch(/ecr:PutImage/);
    expect(JSON.stringify(tools.toJSON())).toMatch(/ecr:PutImage/);
  });

  test('lifecycle settings come from the props, for every repository', () => {
    const registry = Template.fromJSON(synthesized.template('stage-wobbler-registry'));
    const repos = Object.values(registry.findResources('AWS::ECR::Repository'));
    expect(repos.map(r => r.Properties.RepositoryName)).toEqual(['widgetfactory/wobbler/api', 'widgetfactory/wobbler/worker']);
    for (const repo of repos) {
      const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
      expect(rules.map((r: any) => r.selection.countNumber)).toEqual([3, 20]);
    }
  });
});

describe('adding to a stage from the app', () => {
  const synthesized = synth(exampleTopology(), {
    customise: (_, stageApp) => stageApp.addToStagePolicy('e2e', new iam.PolicyStatement({
      sid: 'ReadTestBucket',
      actions: ['s3:GetObject'],
      resources: ['arn:aws:s3:::weebler-e2e-fixtures/*'],
    })),
  });

  test('the statement reaches both the role and the boundary of each of the stage\'s accounts', () => {
    const dev = Template.fromJSON(synthesized.template('stage-weebler-roles-dev'));
    dev.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'ReadTestBucket', Action: 's3:GetObject' })] },
      Roles: [{ Ref: Match.stringLikeRegexp('^StageRolee2e') }],
    });
    dev.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadTestBucket' })]) },
    });
    const prod = JSON.stringify(synthesized.template('stage-weebler-roles-prod'));
    expect(prod).not.toMatch(/ReadTestBucket/);
  });
});

describe('loading and mistakes', () => {
  test('fromFile builds the same stacks from the generated JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stage-topology-'));
    const file = join(dir, 'topology.generated.json');
    writeFileSync(file, JSON.stringify(exampleTopology(), undefined, 2));
    const app = new App({ outdir: dir });
    const stageApp = StageApp.fromFile(app, file);
    expect(stageApp.registryStack).toBeInstanceOf(RegistryStack);
    expect(stageApp.accountStacks.map(s => s.stackName)).toEqual(['stage-weebler-roles-tools', 'stage-weebler-roles-dev', 'stage-weebler-roles-prod']);
    expect(stageApp.stageRole('deploy', 'prod').role.node.path).toBe('stage-weebler-roles-prod/StageRole-deploy/Resource');
  });

  test('a missing file says how to generate it', () => {
    expect(() => StageApp.fromFile(new App(), '/nonexistent/topology.generated.json')).toThrow(/cannot read the topology.*run "npx projen"/);
  });

  test('a topology of another schema version is refused', () => {
    expect(() => new StageApp(new App(), { topology: { ...exampleTopology(), schemaVersion: 99 } })).toThrow(/schema version 99, this library reads 1/);
  });

  test('an env that contradicts the topology is refused, not ignored', () => {
    expect(() => new AccountStagesStack(new App(), {
      topology: exampleTopology(),
      account: 'dev',
      env: { account: '999999999999' },
    })).toThrow(/env.account "999999999999" differs from the topology's "222222222222"/);
  });

  test('an unknown stage or account names what exists', () => {
    const stageApp = new StageApp(new App(), { topology: exampleTopology() });
    expect(() => stageApp.stageRole('unit', 'dev')).toThrow(/stage "unit" has no role in account "dev" \(stages here: e2e, deploy\)/);
    expect(() => stageApp.accountStack('staging')).toThrow(/account "staging" has no stage stack \(accounts with stage roles: tools, dev, prod\)/);
  });

  test('lifecycle settings must be positive whole numbers', () => {
    expect(() => new StageApp(new App(), { topology: exampleTopology(), untaggedImageExpiryDays: 0 })).toThrow(/untaggedImageExpiryDays must be a whole number of days, at least 1, got 0/);
  });
});
