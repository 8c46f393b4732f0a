import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CLOUDFORMATION_MAX_RESOURCES, CLOUDFORMATION_MAX_TEMPLATE_BYTES } from '../topology/limits';

/** The resources a stack declares itself (not those of nested stacks). */
function ownResources(stack: Stack): number {
  let count = 0;
  const visit = (node: IConstruct) => {
    for (const child of node.node.children) {
      if (Stack.isStack(child)) {
        continue;
      }
      if (CfnResource.isCfnResource(child)) {
        count++;
      }
      visit(child);
    }
  };
  visit(stack);
  return count;
}

/**
 * Checks a stack against CloudFormation's resource count and template size when the app is
 * synthesized, after the app had its chance to add to it (`addToStagePolicy`, aspects), so
 * the error names the limit and the fix instead of failing a deployment.
 *
 * @param fix what the user can change when the stack is over a limit
 */
export function addStackLimitValidation(stack: Stack, fix: string): void {
  stack.node.addValidation({
    validate: () => {
      const problems: string[] = [];
      const resources = ownResources(stack);
      if (resources > CLOUDFORMATION_MAX_RESOURCES) {
        problems.push(`stack ${stack.stackName} declares ${resources} resources; CloudFormation allows ${CLOUDFORMATION_MAX_RESOURCES} per stack (${fix})`);
      }
      // The template as the synthesizer writes it: `_toCloudFormation` resolves it, and it is
      // indented by one space unless the stack suppresses indentation.
      const template = (stack as any)._toCloudFormation();
      const indent = (stack as any)._suppressTemplateIndentation ? undefined : 1;
      const bytes = Buffer.byteLength(JSON.stringify(template, undefined, indent));
      if (bytes > CLOUDFORMATION_MAX_TEMPLATE_BYTES) {
        problems.push(`the template of stack ${stack.stackName} is ${bytes} bytes; CloudFormation accepts templates of at most ${CLOUDFORMATION_MAX_TEMPLATE_BYTES} bytes, even through S3 (${fix})`);
      }
      return problems;
    },
  });
}
