import { Environment, StackProps } from 'aws-cdk-lib';

/**
 * The topology decides where a stack deploys and what it is called (both are contract).
 * A conflicting `env` or `stackName` is a mistake the caller should hear about, not a
 * value to drop silently.
 */
export function checkStackProps(construct: string, props: StackProps, env: Environment, stackName: string): void {
  const problems: string[] = [];
  if (props.env?.account !== undefined && props.env.account !== env.account) {
    problems.push(`env.account "${props.env.account}" differs from the topology's "${env.account}"`);
  }
  if (props.env?.region !== undefined && props.env.region !== env.region) {
    problems.push(`env.region "${props.env.region}" differs from the topology's "${env.region}"`);
  }
  if (props.stackName !== undefined && props.stackName !== stackName) {
    problems.push(`stackName "${props.stackName}" differs from the topology's "${stackName}"`);
  }
  if (problems.length > 0) {
    throw new Error(`${construct}: ${problems.join('; ')} (leave them out: they come from the topology)`);
  }
}
