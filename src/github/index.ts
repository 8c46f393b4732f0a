export * from './stages-action';
export * from './stages-workflow';
