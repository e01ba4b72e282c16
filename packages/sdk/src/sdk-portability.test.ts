import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The SDK runs in trading front ends (browsers) as well as Node: its code imports no Node built-in and reaches
// cryptography through globalThis.crypto (WebCrypto) only. Tests may use Node freely.
describe('@ntg/sdk portability', () => {
  it('imports no node: module and no Node-only global outside its tests', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources).toContain('pkcs12.ts');
    for (const file of sources) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      expect({ file, nodeImport: /from ['"]node:|require\(|\bBuffer\b|\bprocess\./.test(text) }).toEqual({
        file,
        nodeImport: false,
      });
    }
  });
});
