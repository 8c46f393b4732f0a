export * from './stage-settings-file';
