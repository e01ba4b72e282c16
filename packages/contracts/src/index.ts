export * from './audit.ts';
export * from './catalog.ts';
export * from './errors.ts';
export * from './organizations.ts';
