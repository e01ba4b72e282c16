// MDM exports (Directions A17, A18): Intune, Jamf and osquery/Fleet presets, or a custom mapping.
export * from './mdm-export.ts';
export * from './mdm-import-service.ts';
