export { type AppDeps, buildApp, productVersion } from './app.ts';
export { type Config, ConfigError, loadConfig, type Secrets } from './config/config.ts';
export { resolveSecrets, secretsFilePath } from './config/secrets.ts';
export {
  type BundleTextFormat,
  bundleFormatOfFilename,
  formatBundleText,
  parseBundleText,
} from './import-export/bundle-text.ts';
export { collectorStatusReader } from './wiring/collector-services.ts';
export { ensureDemoOrganization } from './wiring/demo-organization.ts';
export { createImportExportServices, type ImportExportServices } from './wiring/import-export-services.ts';
export {
  createOrderConsoleServices,
  createOrderGatewayServices,
  type OrderConsoleServices,
  type OrderGatewayServices,
} from './wiring/order-services.ts';
export { type OrderVerificationDeps, orderVerification } from './wiring/order-verification-wiring.ts';
export { openRuntime, type Runtime } from './wiring/runtime.ts';
export { createServices, type Services } from './wiring/services.ts';
