export * from './failed-login-analysis.ts';
export * from './monitoring-service.ts';
export * from './monitoring-store.ts';
