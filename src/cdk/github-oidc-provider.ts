import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import * as naming from '../topology/naming';

/**
 * Properties of {@link GitHubOidcProvider}.
 */
export interface GitHubOidcProviderProps {
  /**
   * ARN of the provider the account already has. GitHub's issuer can be registered once
   * per account, so a second stack (or another tool) cannot create it again.
   *
   * @default - the provider is created
   */
  readonly existingProviderArn?: string;
}

/**
 * GitHub's OIDC provider (`token.actions.githubusercontent.com`, audience `sts.amazonaws.com`)
 * in one account: a native `AWS::IAM::OIDCProvider` without thumbprints, since AWS
 * verifies this issuer through its own trusted certificate authorities, or the existing one.
 */
export class GitHubOidcProvider extends Construct {
  /** The provider, created or imported. */
  public readonly provider: iam.IOidcProvider;
  /** Its ARN: a reference when created, the given ARN when imported. */
  public readonly providerArn: string;
  /** Whether this construct creates the provider. */
  public readonly created: boolean;

  constructor(scope: Construct, id: string, props: GitHubOidcProviderProps = {}) {
    super(scope, id);
    if (props.existingProviderArn !== undefined) {
      this.provider = iam.OidcProviderNative.fromOidcProviderArn(this, 'Imported', props.existingProviderArn);
      this.created = false;
    } else {
      this.provider = new iam.OidcProviderNative(this, 'Resource', {
        url: `https://${naming.OIDC_ISSUER}`,
        clientIds: [naming.OIDC_AUDIENCE],
      });
      this.created = true;
    }
    this.providerArn = this.provider.openIdConnectProviderArn;
  }
}
