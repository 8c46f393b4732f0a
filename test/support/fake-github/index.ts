export * from './server';
export * from './state';
export { registerSettingsRoutes } from './routes';
