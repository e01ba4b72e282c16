/**
 * The browser side of WebAuthn: the server's options arrive as JSON (the WebAuthn Level 3 form) and the
 * credential goes back as JSON, so the browser's own parse and toJSON do the base64url work.
 */

export function webauthnSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.PublicKeyCredential === 'function' &&
    typeof window.PublicKeyCredential.parseRequestOptionsFromJSON === 'function' &&
    typeof window.PublicKeyCredential.parseCreationOptionsFromJSON === 'function'
  );
}

function asJson(credential: Credential | null): Record<string, unknown> {
  if (credential === null || !(credential instanceof PublicKeyCredential)) {
    throw new Error('No security key or passkey answered.');
  }
  return credential.toJSON() as unknown as Record<string, unknown>;
}

export async function webauthnAssertion(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(
    options as unknown as PublicKeyCredentialRequestOptionsJSON,
  );
  return asJson(await navigator.credentials.get({ publicKey }));
}

export async function webauthnRegistration(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(
    options as unknown as PublicKeyCredentialCreationOptionsJSON,
  );
  return asJson(await navigator.credentials.create({ publicKey }));
}
