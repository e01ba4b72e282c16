// Mobile app packages (Directions A19, A20): APK and IPA inspection, read as untrusted bytes.
export * from './android-binary-xml.ts';
export * from './app-inspector.ts';
export * from './app-package-service.ts';
export * from './package-signatures.ts';
export * from './property-list.ts';
export * from './zip-reader.ts';
