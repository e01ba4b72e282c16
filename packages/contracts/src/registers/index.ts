export * from './cloud-registers.ts';
export * from './collector-registers.ts';
export * from './iot-registers.ts';
export * from './mobile-registers.ts';
export * from './register-fields.ts';
export * from './register-types.ts';
export * from './shared-registers.ts';
export * from './social-media-registers.ts';
