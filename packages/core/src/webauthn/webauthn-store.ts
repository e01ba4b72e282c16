/**
 * WebAuthn credentials and their pending ceremonies, for both the gateway's clients and the console's users. The
 * public key only is kept (A37.3: nothing secret at rest); the sign counter is advanced by one conditional update.
 */
export type WebauthnSubjectKind = 'client-account' | 'console-user';

export interface WebauthnCredential {
  /** Our id, `wac_…`. */
  id: string;
  subjectKind: WebauthnSubjectKind;
  /** The client account or console user the credential is bound to. */
  subjectId: string;
  /** The authenticator's credential id (base64url), unique across the installation. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The last signature counter seen; 0 for authenticators that do not count. */
  counter: number;
  /** The authenticator model it reported at registration (lower-case UUID). */
  aaguid: string;
  transports: string[];
  /** BE flag: a synced passkey that can be copied to other devices. */
  backupEligible: boolean;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Set when the credential was refused for good (a counter that went backwards: a cloned authenticator). */
  suspendedAt: string | null;
  suspendedReason: string | null;
}

export interface WebauthnCredentialStore {
  insert(credential: WebauthnCredential): Promise<void>;
  findByCredentialId(credentialId: string): Promise<WebauthnCredential | null>;
  listForSubject(kind: WebauthnSubjectKind, subjectId: string): Promise<WebauthnCredential[]>;
  /**
   * One conditional UPDATE: sets the counter when `counter` is later than the stored one (or both are 0, for
   * authenticators without a counter) and the credential is not suspended; false otherwise.
   */
  advanceCounter(id: string, counter: number, at: string): Promise<boolean>;
  /** Suspends a live credential; false when it was suspended already. */
  suspend(id: string, at: string, reason: string): Promise<boolean>;
}

export type WebauthnCeremony = 'registration' | 'authentication';

/** A challenge handed to a browser or app, kept until it is used once or expires. */
export interface WebauthnChallenge {
  /** The challenge itself (base64url of 32 random bytes): what clientDataJSON carries back. */
  challenge: string;
  ceremony: WebauthnCeremony;
  subjectKind: WebauthnSubjectKind;
  subjectId: string;
  /** The console sign-in or session it was issued to, if any: it may be answered only there. */
  sessionId: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface WebauthnChallengeStore {
  insert(challenge: WebauthnChallenge): Promise<void>;
  /** Deletes and returns it in one statement, so a challenge can be answered once only, on any instance. */
  take(challenge: string): Promise<WebauthnChallenge | null>;
  purgeExpired(now: string): Promise<number>;
}

export interface WebauthnStores {
  credentials: WebauthnCredentialStore;
  challenges: WebauthnChallengeStore;
}
