export * from './channel-service.ts';
export * from './file-notification-adapter.ts';
export * from './notification-dispatcher.ts';
export * from './notification-outbox.ts';
export * from './notification-store.ts';
export * from './outbox-identity-events.ts';
export * from './webhook-notification-adapter.ts';
