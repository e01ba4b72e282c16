import { type ChallengePurpose, deviceKeySigningInput, type P256PublicJwk } from '@ntg/contracts';
import { toBase64url } from './base64url.ts';

type Subtle = typeof globalThis.crypto.subtle;
/** A WebCrypto private key (CryptoKey), kept non-extractable by the app. */
export type DevicePrivateKey = Parameters<Subtle['sign']>[1];

export interface DeviceKeyPair {
  privateKey: DevicePrivateKey;
  publicKey: P256PublicJwk;
}

/**
 * A P-256 key pair through WebCrypto (browsers and Node). The private key is not extractable: it can sign but never
 * leave the key store. A native app would use the platform keystore instead (Secure Enclave, StrongBox), gated by a
 * biometric when it is to count as inherence (A36.1.3).
 */
export async function generateDeviceKey(): Promise<DeviceKeyPair> {
  const pair = (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])) as { privateKey: DevicePrivateKey; publicKey: DevicePrivateKey };
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', pair.publicKey);
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('WebCrypto exported no EC point');
  return { privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } };
}

/** Signs a gateway challenge: WebCrypto's ECDSA output is already the raw r||s form the gateway expects. */
export async function signChallenge(
  privateKey: DevicePrivateKey,
  purpose: ChallengePurpose,
  challengeId: string,
  nonce: string,
): Promise<string> {
  const data = new TextEncoder().encode(deviceKeySigningInput(purpose, challengeId, nonce));
  const signature = await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
  return toBase64url(new Uint8Array(signature));
}
