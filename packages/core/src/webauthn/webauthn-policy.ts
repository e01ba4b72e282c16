/**
 * What the firm accepts from WebAuthn authenticators (ADR 0016). Built once at wiring time and never changed.
 *
 * - `rpId` and `origins`: an assertion made for another site or served from another origin never verifies.
 * - `registrationAaguids`: authenticator models that may be registered; empty leaves it to `synced` alone.
 * - `synced`: whether backup-eligible credentials (synced passkeys) may be registered and used.
 * - `reviewedAaguids`: models whose user verification the firm reviewed; only these can prove inherence (A36.1.3).
 */
export interface WebauthnPolicy {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
  readonly registrationAaguids: ReadonlySet<string>;
  readonly synced: 'allow' | 'refuse';
  readonly reviewedAaguids: ReadonlySet<string>;
  /** How long a registration or console sign-in challenge stays good. */
  readonly challengeTtlSeconds: number;
}

export interface WebauthnPolicyInput {
  rpId: string;
  rpName?: string;
  origins: readonly string[];
  registrationAaguids?: readonly string[];
  synced?: 'allow' | 'refuse';
  reviewedAaguids?: readonly string[];
  challengeTtlSeconds?: number;
}

const aaguidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a reviewed-authenticator entry names a WebAuthn model (an AAGUID) rather than a device-key type. */
export function isAaguid(value: string): boolean {
  return aaguidPattern.test(value.toLowerCase());
}

export class WebauthnPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebauthnPolicyError';
  }
}

export function createWebauthnPolicy(input: WebauthnPolicyInput): WebauthnPolicy {
  const rpId = input.rpId.toLowerCase();
  if (
    /^[\d.]+$/.test(rpId) ||
    !/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId)
  ) {
    throw new WebauthnPolicyError(`The WebAuthn RP ID "${input.rpId}" is not a domain name (an IP address is not).`);
  }
  if (input.origins.length === 0) throw new WebauthnPolicyError('Name at least one WebAuthn origin.');
  const origins: string[] = [];
  for (const o of input.origins) {
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new WebauthnPolicyError(`The WebAuthn origin "${o}" is not a URL such as https://trade.example.com.tw.`);
    }
    if (url.origin !== o.replace(/\/$/, '')) {
      throw new WebauthnPolicyError(`The WebAuthn origin "${o}" has a path; use scheme, host and port only.`);
    }
    const host = url.hostname.toLowerCase();
    // The browser refuses an RP ID that is not the origin's host or a registrable suffix of it.
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new WebauthnPolicyError(`The WebAuthn origin "${o}" is not on the RP ID "${rpId}".`);
    }
    if (url.protocol !== 'https:' && host !== 'localhost' && !host.endsWith('.localhost')) {
      throw new WebauthnPolicyError(
        `The WebAuthn origin "${o}" must use https (browsers allow http on localhost only).`,
      );
    }
    origins.push(url.origin);
  }
  const aaguids = (list: readonly string[] | undefined, name: string) => {
    const out = new Set<string>();
    for (const a of list ?? []) {
      if (!isAaguid(a)) throw new WebauthnPolicyError(`"${a}" in ${name} is not an AAGUID (a UUID).`);
      out.add(a.toLowerCase());
    }
    return out;
  };
  const challengeTtlSeconds = input.challengeTtlSeconds ?? 300;
  if (challengeTtlSeconds < 30 || challengeTtlSeconds > 600) {
    throw new WebauthnPolicyError('A WebAuthn challenge lives 30 to 600 seconds.');
  }
  return Object.freeze({
    rpId,
    rpName: input.rpName ?? 'NewTech Guard',
    origins: Object.freeze(origins),
    registrationAaguids: aaguids(input.registrationAaguids, 'the registration allowlist'),
    synced: input.synced ?? 'refuse',
    reviewedAaguids: aaguids(input.reviewedAaguids, 'the reviewed authenticators'),
    challengeTtlSeconds,
  });
}

/** Why a registration is refused under the policy, or null when it is accepted. */
export function registrationRefusal(
  policy: WebauthnPolicy,
  registered: { aaguid: string; backupEligible: boolean },
): string | null {
  if (policy.registrationAaguids.size > 0 && !policy.registrationAaguids.has(registered.aaguid)) {
    return `the authenticator model ${registered.aaguid} is not on the firm's list of authenticators that may be registered`;
  }
  if (registered.backupEligible && policy.synced === 'refuse') {
    return 'synced passkeys (backup eligible) are refused by policy: use a security key or a device-bound passkey';
  }
  return null;
}

/** A36.1.3: user verification counts as inherence only on a model the firm reviewed. */
export function inherenceEligible(policy: WebauthnPolicy, aaguid: string): boolean {
  return policy.reviewedAaguids.has(aaguid);
}
