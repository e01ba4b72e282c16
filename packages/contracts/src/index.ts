export * from './audit.ts';
export * from './bundle.ts';
export * from './catalog.ts';
export * from './errors.ts';
export * from './evaluation.ts';
export * from './evidence.ts';
export * from './organizations.ts';
export * from './registers/index.ts';
