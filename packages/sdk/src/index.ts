export * from './admin-client.ts';
export * from './base64url.ts';
export * from './device-key.ts';
export * from './gateway-client.ts';
export * from './gateway-error.ts';
export type { FetchLike } from './http.ts';
export * from './order-signer.ts';
export * from './orders-client.ts';
export * from './pkcs12.ts';
