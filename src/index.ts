export * from './project';
export * from './topology/options';
export * from './topology/model';
export * from './github';
export * from './settings';
export * from './org/options';
export * from './cdk';
