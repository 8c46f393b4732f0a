export * from './project';
export * from './topology/options';
export * from './topology/model';
