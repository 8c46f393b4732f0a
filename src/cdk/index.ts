export * from './github-oidc-provider';
export * from './stage-boundary';
export * from './stage-role';
export * from './account-stages-stack';
export * from './registry-stack';
export * from './stage-app';
