import { z } from 'zod';
import { isoDate, text } from './register-fields.ts';

/**
 * Registers that tell the collectors what to look at and what the organization decided about what they saw.
 */

export const tlsEndpointPurposes = ['trading-gateway', 'website', 'api', 'other'] as const;

/** `host:port`, `[v6]:port` or `https://host[:port][/path]`: what an endpoint is written as in every register. */
const endpointPattern = /^(?:https:\/\/)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(?:[/?#].*)?$/;

export const tlsEndpointAddress = text(300)
  .min(1)
  .refine((v) => {
    const m = endpointPattern.exec(v);
    if (m === null) return false;
    const port = m[1] === undefined ? (v.startsWith('https://') ? 443 : null) : Number(m[1]);
    return port !== null && port >= 1 && port <= 65535;
  }, 'write HOST:PORT, e.g. trade.example.com.tw:443, or an https:// address');

/**
 * A35.1, A5.3, A7.5: an endpoint the organization serves or uses over TLS (the trading gateway, the website, APIs).
 * With `scheduledScan`, the server scans it every day (Asia/Taipei), so a regression becomes a finding unasked.
 * Cloud services' own `endpoint` field is scanned too; an endpoint recorded here and on a cloud service serves A5.3.
 */
export const tlsEndpointFields = z.object({
  endpoint: tlsEndpointAddress,
  purpose: z.enum(tlsEndpointPurposes),
  /** The server name to present when it differs from the host (an address behind a load balancer). */
  sni: text(253).nullable().default(null),
  scheduledScan: z.boolean().default(true),
  /** PEM certificates of a private CA that issues the endpoint's certificate; the system store is used otherwise. */
  caPem: text(65_536)
    .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'paste PEM certificates (-----BEGIN CERTIFICATE-----)')
    .nullable()
    .default(null),
});
export type TlsEndpointFields = z.infer<typeof tlsEndpointFields>;

/**
 * A23: a host a network scan sees that is not IoT equipment (a workstation, a server, a phone on the guest
 * network), recorded with the reason and who decided it. It no longer counts as missing from the IoT inventory;
 * the decision stays in the register, reviewed like any record. A record names the MAC address, the IP address or
 * both; matching is by MAC first, as for IoT records.
 */
export const networkExclusionFields = z.object({
  macAddress: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'use a MAC like 00:1a:2b:3c:4d:5e')
    .nullable()
    .default(null),
  ipAddress: text(64).nullable().default(null),
  reason: text(1000).min(1),
  decidedBy: text(200).min(1),
  decidedDate: isoDate,
});
export type NetworkExclusionFields = z.infer<typeof networkExclusionFields>;
