import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';

describe('WebAuthn configuration (ADR 0016)', () => {
  it('defaults to RP ID localhost on the listening port, synced passkeys refused at the gateway and allowed at the console', () => {
    const config = loadConfig({ NTG_PORT: '9090' }, '/srv/ntg');
    expect(config.gateway.webauthn).toEqual({
      rpId: 'localhost',
      rpName: 'NewTech Guard',
      origins: ['http://localhost:9090'],
      synced: 'refuse',
      registrationAaguids: [],
    });
    expect(config.console.webauthn).toMatchObject({
      rpId: 'localhost',
      origins: ['http://localhost:9090'],
      synced: 'allow',
    });
  });

  it('takes the firm’s RP ID, origins, synced rule and AAGUID list', () => {
    const config = loadConfig({
      NTG_WEBAUTHN_RP_ID: 'alpha-sec.com.tw',
      NTG_WEBAUTHN_ORIGINS: 'https://trade.alpha-sec.com.tw, https://console.alpha-sec.com.tw',
      NTG_GATEWAY_WEBAUTHN_SYNCED: 'allow',
      NTG_GATEWAY_WEBAUTHN_AAGUIDS: 'CB69481E-8FF7-4039-93EC-0A2729A154A8',
    });
    expect(config.gateway.webauthn).toMatchObject({
      rpId: 'alpha-sec.com.tw',
      origins: ['https://trade.alpha-sec.com.tw', 'https://console.alpha-sec.com.tw'],
      synced: 'allow',
      registrationAaguids: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'],
    });
    expect(loadConfig({ NTG_WEBAUTHN_RP_ID: 'alpha-sec.com.tw' }).gateway.webauthn?.origins).toEqual([
      'https://alpha-sec.com.tw',
    ]);
  });

  it('refuses an origin off the RP ID, plain http off localhost, an IP address as RP ID, and a non-AAGUID', () => {
    const cases: Record<string, string>[] = [
      { NTG_WEBAUTHN_RP_ID: 'alpha-sec.com.tw', NTG_WEBAUTHN_ORIGINS: 'https://alpha-sec.example.net' },
      { NTG_WEBAUTHN_RP_ID: 'alpha-sec.com.tw', NTG_WEBAUTHN_ORIGINS: 'http://alpha-sec.com.tw' },
      { NTG_WEBAUTHN_RP_ID: '10.0.0.5', NTG_WEBAUTHN_ORIGINS: 'https://10.0.0.5' },
      { NTG_GATEWAY_WEBAUTHN_AAGUIDS: 'yubikey-5' },
      { NTG_GATEWAY_WEBAUTHN_SYNCED: 'sometimes' },
    ];
    for (const env of cases) expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
  });
});
