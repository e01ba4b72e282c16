import { isIP } from 'node:net';
import type { RegisterRecord } from '@ntg/contracts';
import { AppError } from '../../shared/app-error.ts';

/**
 * `host:port`, `[v6]:port`, or (as people paste them into the register) `https://host[:port][/path]`. The host is
 * lower-cased so that the same endpoint is always the same target.
 */
export function parseTlsEndpoint(text: string): { host: string; port: number } {
  let rest = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  let defaultPort: number | null = null;
  if (scheme !== null) {
    defaultPort = scheme[1]?.toLowerCase() === 'https' ? 443 : null;
    rest = rest.slice(scheme[0].length).split(/[/?#]/)[0] ?? '';
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(rest);
  const host = (m?.[1] ?? m?.[2] ?? '').toLowerCase();
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  const validHost = m?.[1] !== undefined ? isIP(host) === 6 : host !== '' && !host.startsWith('-');
  if (m === null || !validHost || port === null || port < 1 || port > 65535) {
    throw new AppError(
      'VALIDATION_FAILED',
      `"${text.slice(0, 100)}" is not an endpoint: write HOST:PORT, e.g. trade.example.com.tw:443 or [2001:db8::1]:443.`,
      { issues: [{ path: 'endpoint', message: 'not HOST:PORT' }] },
    );
  }
  return { host, port };
}

export function formatTlsEndpoint(e: { host: string; port: number }): string {
  return isIP(e.host) === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** The endpoint a cloud service records, as a target key; null when none or unreadable. */
export function cloudEndpointKey(service: Pick<RegisterRecord<'cloud-services'>, 'endpoint'>): string | null {
  if (service.endpoint === null || service.endpoint.trim() === '') return null;
  try {
    return formatTlsEndpoint(parseTlsEndpoint(service.endpoint));
  } catch {
    return null;
  }
}
