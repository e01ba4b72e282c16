// Public API of the TLS endpoint scanner (Directions A35.1; cloud A5.3/A7.5). The test bed and the reference
// scanner adapters are test support and are imported by path, not from here.
export * from './certificate-details.ts';
export * from './chain-trust.ts';
export * from './cipher-suites.ts';
export * from './raw-client-hello.ts';
export * from './server-flight-parser.ts';
export * from './tls-facts.ts';
export * from './tls-policy.ts';
export * from './tls-probe.ts';
export * from './tls-registry.ts';
export * from './tls-scanner.ts';
