import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { repositoryPolicyStatements } from './policies';
import { addStackLimitValidation } from './stack-limits';
import { checkStackProps } from './stack-props';
import { ECR_REPOSITORY_POLICY_MAX_LENGTH, REPOSITORIES_PER_REGISTRY_STACK, registryNeedsOrganization } from '../topology/limits';
import { StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/**
 * Properties of {@link RegistryStack}.
 */
export interface RegistryStackProps extends StackProps {
  /**
   * The normalised topology. The stack deploys to `topology.registry`.
   */
  readonly topology: StageTopology;

  /**
   * Which of the topology's registry stacks (`topology.registry.stacks`, from 0) this is.
   * A registry holds up to `REPOSITORIES_PER_REGISTRY_STACK` repositories per stack.
   *
   * @default 0
   */
  readonly part?: number;

  /**
   * Days after which untagged images expire.
   *
   * @default 14
   */
  readonly untaggedImageExpiryDays?: number;

  /**
   * How many tagged images each repository keeps; older ones expire.
   *
   * @default 100
   */
  readonly maxTaggedImages?: number;

  /**
   * What happens to the repositories when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly repositoryRemovalPolicy?: RemovalPolicy;
}

/**
 * The ECR repositories of the topology, in the registry account: scan on push,
 * immutable tags, a lifecycle policy, and a repository policy that lets exactly the
 * pulling stage roles pull, the pushing ones push, and Lambda in the topology's
 * accounts pull.
 */
export class RegistryStack extends Stack {
  /** The repositories, in the topology's order. */
  public readonly repositories: ecr.Repository[];
  private readonly names: string[];

  constructor(scope: Construct, props: RegistryStackProps) {
    const { topology } = props;
    const part = props.part ?? 0;
    const spec = topology.registry.stacks[part];
    if (!spec) {
      throw new Error(`RegistryStack: the topology has ${topology.registry.stacks.length} registry stack(s), so part ${part} does not exist (parts: 0 to ${topology.registry.stacks.length - 1}; there are none without repositories)`);
    }
    const env = { account: topology.registry.accountId, region: topology.registry.region };
    checkStackProps('RegistryStack', props, env, spec.stackId);
    super(scope, spec.stackId, {
      description: `ECR repositories of ${topology.github.fullName} (stage-project)${topology.registry.stacks.length > 1 ? `, part ${part + 1} of ${topology.registry.stacks.length}` : ''}`,
      ...props,
      env,
      stackName: spec.stackId,
    });
    addStackLimitValidation(this, `it holds ${spec.repositories.length} repositories; the registry is split into stacks of at most ${REPOSITORIES_PER_REGISTRY_STACK}: set topology.organizationId to shorten each repository policy`);
    const untaggedDays = props.untaggedImageExpiryDays ?? 14;
    const keepTagged = props.maxTaggedImages ?? 100;
    if (!Number.isInteger(untaggedDays) || untaggedDays < 1) {
      throw new Error(`RegistryStack: untaggedImageExpiryDays must be a whole number of days, at least 1, got ${untaggedDays}`);
    }
    if (!Number.isInteger(keepTagged) || keepTagged < 1) {
      throw new Error(`RegistryStack: maxTaggedImages must be a whole number, at least 1, got ${keepTagged}`);
    }

    const statements = repositoryPolicyStatements(topology);
    const policyStatements = statements.map(s => iam.PolicyStatement.fromJson(s));
    const rendered = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    this.node.addValidation({
      validate: () => {
        if (registryNeedsOrganization(topology) && topology.organizationId === undefined) {
          return [`the repository policy cannot list these ${topology.accounts.length} accounts and their roles: set topology.organizationId so it can use aws:PrincipalOrgID`];
        }
        // The switch above decides from an estimate; this is the rendered policy itself.
        if (rendered.length > ECR_REPOSITORY_POLICY_MAX_LENGTH) {
          return [`the repository policy is ${rendered.length} characters; ECR allows ${ECR_REPOSITORY_POLICY_MAX_LENGTH} (set topology.organizationId so it can use aws:PrincipalOrgID)`];
        }
        return [];
      },
    });

    this.names = spec.repositories;
    const names = new Set(spec.repositories);
    this.repositories = topology.repositories.filter(r => names.has(r.name)).map(r => {
      const repository = new ecr.Repository(this, naming.imageRepositoryConstructId(r.name), {
        repositoryName: r.name,
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        removalPolicy: props.repositoryRemovalPolicy ?? RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            rulePriority: 1,
            description: `Expire untagged images after ${untaggedDays} days`,
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(untaggedDays),
          },
          {
            rulePriority: 2,
            description: `Keep the last ${keepTagged} tagged images`,
            tagStatus: ecr.TagStatus.TAGGED,
            tagPatternList: ['*'],
            maxImageCount: keepTagged,
          },
        ],
      });
      for (const statement of policyStatements) {
        repository.addToResourcePolicy(statement);
      }
      return repository;
    });
  }

  /**
   * The repository named `name` (as in `topology.repositories`).
   */
  public repository(name: string): ecr.Repository {
    const index = this.names.indexOf(name);
    if (index < 0) {
      throw new Error(`RegistryStack: no repository "${name}" (known: ${this.names.join(', ') || 'none'})`);
    }
    return this.repositories[index];
  }
}
