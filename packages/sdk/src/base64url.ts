/**
 * base64url without padding (RFC 4648 §5), the form WebAuthn's JSON, JWS and the gateway's keys use. Through btoa and
 * atob, so it runs in browsers and Node alike (no Node-only API).
 */

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes, or null for text that is not base64url: the caller says which of its inputs was wrong. */
export function fromBase64url(text: string): Uint8Array | null {
  // A length of 1 mod 4 cannot come from any byte string.
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  );
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
