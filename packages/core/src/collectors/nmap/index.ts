// Network scans for IoT equipment (Directions A23, A25, A26, A30): nmap XML reports and the safe XML parser.
export * from './device-matching.ts';
export * from './nmap-import-service.ts';
export * from './nmap-report.ts';
export * from './safe-xml.ts';
