import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig } from '../config/config.ts';

describe('NTG_TLS: when the listener speaks TLS (A35.1, docs/adr/0015)', () => {
  it('stays plain HTTP by default on the loopback address (npm start at http://127.0.0.1:8080)', () => {
    expect(loadConfig({}, '/srv/ntg').tls).toEqual({ enabled: false, reason: 'loopback' });
  });

  it('turns TLS on with a generated local certificate when the embedded default listens beyond loopback', () => {
    expect(loadConfig({ NTG_HOST: '0.0.0.0' }, '/srv/ntg').tls).toEqual({
      enabled: true,
      source: 'generated',
      dir: '/srv/ntg/data/tls',
    });
  });

  it('leaves TLS to the proxy behind NTG_TRUST_PROXY, unless NTG_TLS=on', () => {
    expect(loadConfig({ NTG_HOST: '0.0.0.0', NTG_TRUST_PROXY: 'true' }).tls).toEqual({
      enabled: false,
      reason: 'proxy',
    });
    expect(loadConfig({ NTG_HOST: '0.0.0.0', NTG_TRUST_PROXY: 'true', NTG_TLS: 'on' }).tls.enabled).toBe(true);
  });

  it('NTG_TLS=on on loopback uses the generated certificate; with files, the files (relative to the cwd)', () => {
    expect(loadConfig({ NTG_TLS: 'on' }, '/srv/ntg').tls).toMatchObject({ enabled: true, source: 'generated' });
    expect(
      loadConfig({ NTG_TLS_CERT_FILE: 'tls/chain.pem', NTG_TLS_KEY_FILE: '/etc/ntg/key.pem' }, '/srv/ntg').tls,
    ).toEqual({ enabled: true, source: 'files', certFile: '/srv/ntg/tls/chain.pem', keyFile: '/etc/ntg/key.pem' });
  });

  it('NTG_TLS=off is plain HTTP anywhere', () => {
    expect(loadConfig({ NTG_TLS: 'off', NTG_HOST: '0.0.0.0' }).tls).toEqual({ enabled: false, reason: 'off' });
  });

  it('refuses a half-given pair, files with TLS off, and an unknown mode', () => {
    expect(() => loadConfig({ NTG_TLS_CERT_FILE: '/c.pem' })).toThrow(/set both .* or neither/);
    expect(() => loadConfig({ NTG_TLS: 'off', NTG_TLS_CERT_FILE: '/c.pem', NTG_TLS_KEY_FILE: '/k.pem' })).toThrow(
      /NTG_TLS: is off but NTG_TLS_CERT_FILE is set/,
    );
    expect(() => loadConfig({ NTG_TLS: 'yes' })).toThrow(/NTG_TLS: use off, on or auto/);
  });

  it('on PostgreSQL (several instances) needs the certificate files instead of generating one each', () => {
    const pg = { NTG_DATABASE_URL: 'postgres://ntg@db.internal/ntg' };
    expect(() => loadConfig({ ...pg, NTG_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...pg, NTG_HOST: '0.0.0.0' })).toThrow(
      /listening on 0\.0\.0\.0 needs TLS \(Directions A35\.1\).*set NTG_TLS_CERT_FILE and NTG_TLS_KEY_FILE/,
    );
    expect(() => loadConfig({ ...pg, NTG_TLS: 'on' })).toThrow(/NTG_TLS: is on; several instances/);
    expect(loadConfig({ ...pg }).tls).toEqual({ enabled: false, reason: 'loopback' });
  });

  it('knows the loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'gw.example.com.tw']) expect(isLoopbackHost(host)).toBe(false);
  });
});
