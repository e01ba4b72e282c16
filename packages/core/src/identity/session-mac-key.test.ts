import { describe, expect, it } from 'vitest';
import { createSessionMacKeyCipher, newSessionMacKey } from './session-mac-key.ts';

describe('session order MAC key at rest (A35.2, A37.3)', () => {
  const cipher = createSessionMacKeyCipher(Buffer.alloc(32, 5));

  it('opens what it sealed, and the sealed text does not contain the key', () => {
    const key = newSessionMacKey();
    expect(key).toHaveLength(32);
    const sealed = cipher.seal(key, 'ses_one');
    expect(sealed).not.toContain(key.toString('base64url'));
    expect(cipher.open(sealed, 'ses_one').equals(key)).toBe(true);
  });

  it('does not open under another session id, another secret, or after a change', () => {
    const sealed = cipher.seal(newSessionMacKey(), 'ses_one');
    expect(() => cipher.open(sealed, 'ses_two')).toThrow();
    expect(() => createSessionMacKeyCipher(Buffer.alloc(32, 6)).open(sealed, 'ses_one')).toThrow();
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => cipher.open([v, iv, flipped.toString('base64url'), tag].join('.'), 'ses_one')).toThrow();
  });
});
