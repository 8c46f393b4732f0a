import { IResolver, YamlFile } from 'projen';

/**
 * A third-party action pinned to a full commit SHA. A tag can be moved by whoever controls
 * the action's repository; a commit cannot. The tag is kept for people and for update bots
 * (Dependabot and Renovate rewrite the `# <tag>` comment together with the SHA).
 */
export interface PinnedAction {
  readonly repository: string;
  readonly sha: string;
  readonly tag: string;
}

/** actions/checkout, tag v5.0.0. */
export const CHECKOUT: PinnedAction = {
  repository: 'actions/checkout',
  sha: '08c6903cd8c0fde910a37f88322edcfb5dd907a8',
  tag: 'v5.0.0',
};

/** actions/setup-node, tag v5.0.0 (the first major with the `package-manager-cache` input). */
export const SETUP_NODE: PinnedAction = {
  repository: 'actions/setup-node',
  sha: 'a0853c24544627f65ddf259abe73b1d18a591444',
  tag: 'v5.0.0',
};

/** aws-actions/configure-aws-credentials, tag v5.0.0. */
export const CONFIGURE_AWS_CREDENTIALS: PinnedAction = {
  repository: 'aws-actions/configure-aws-credentials',
  sha: 'a03048d87541d1d9fcf2ecf528a4a65ba9bd7838',
  tag: 'v5.0.0',
};

/** aws-actions/amazon-ecr-login, tag v2.0.1. */
export const AMAZON_ECR_LOGIN: PinnedAction = {
  repository: 'aws-actions/amazon-ecr-login',
  sha: '062b18b96a7aff071d4dc91bc00c4c1a7945b076',
  tag: 'v2.0.1',
};

export const PINNED_ACTIONS: readonly PinnedAction[] = [CHECKOUT, SETUP_NODE, CONFIGURE_AWS_CREDENTIALS, AMAZON_ECR_LOGIN];

/** The `uses:` value of a pinned action. */
export function uses(pin: PinnedAction): string {
  return `${pin.repository}@${pin.sha}`;
}

/**
 * Appends `# <tag>` to every `uses:` line that names a pinned action. projen renders YAML
 * from plain objects, which cannot carry comments, so the comment is added to the text.
 */
export function annotatePins(text: string): string {
  const tags = new Map(PINNED_ACTIONS.map(p => [uses(p), p.tag]));
  return text.replace(/^(\s*(?:- )?uses: )(\S+)$/gm, (line, _prefix: string, ref: string) => {
    const tag = tags.get(ref);
    return tag ? `${line} # ${tag}` : line;
  });
}

/** A YAML file whose pinned `uses:` lines carry their tag as a comment. */
export class PinnedYamlFile extends YamlFile {
  protected synthesizeContent(resolver: IResolver): string | undefined {
    const content = super.synthesizeContent(resolver);
    return content === undefined ? undefined : annotatePins(content);
  }
}
