import { OidcToken, webIdentity } from '../../src/verify/corpus';
import { Decision, IamSimulator, PolicyJson, RequestSimulation } from '../../src/verify/simulator';

/**
 * The IAM simulation of `stage-project verify` (src/verify), for tests that assert on single
 * decisions. The simulator packages resolve from this repository, where they are devDependencies.
 */
export type { Decision, PolicyJson, RequestSimulation } from '../../src/verify/simulator';
export type { CfnTemplate, DeployContext, RoleDocuments } from '../../src/verify/templates';
export { repositoryPolicy, resolveIntrinsics, roleDocuments, stageStackContext } from '../../src/verify/templates';
export type { OidcToken, TokenCase } from '../../src/verify/corpus';
export { tokenCorpus } from '../../src/verify/corpus';

let simulator: IamSimulator | undefined;

export function iamSimulator(): IamSimulator {
  simulator ??= IamSimulator.load(process.cwd());
  return simulator;
}

/** Whether `trust` lets `token` assume `roleArn`. */
export function simulateAssumeRoleWithWebIdentity(trust: PolicyJson, roleArn: string, token: OidcToken): Decision {
  const sim = iamSimulator();
  return sim.assumeRoleWithWebIdentity(sim.trustPolicy(trust, roleArn), webIdentity(token));
}

/** Simulates a request as IAM would evaluate it; validation errors throw instead of reading as a denial. */
export function simulateRequest(request: RequestSimulation): Promise<Decision> {
  return iamSimulator().request(request);
}
