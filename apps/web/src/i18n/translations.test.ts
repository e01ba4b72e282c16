import { describe, expect, it } from 'vitest';
import en from './en.json';
import zhTW from './zh-TW.json';

function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [k, v] of leaves(child, prefix === '' ? key : `${prefix}.${key}`)) out.set(k, v);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

const english = leaves(en);
const chinese = leaves(zhTW);

function has(tree: unknown, key: string): boolean {
  let node: unknown = tree;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}

// Every source file of the console, as text, to find the keys it asks for.
const sources = import.meta.glob<string>(['../**/*.tsx', '../**/*.ts', '!../**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('translations', () => {
  it('hold every key the console asks for by name', () => {
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\('([a-zA-Z.-]+)'/g)) if (m[1] !== undefined) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !has(en, k))).toEqual([]);
  });

  it('have exactly the same keys in English and Traditional Chinese', () => {
    const onlyEnglish = [...english.keys()].filter((k) => !chinese.has(k));
    const onlyChinese = [...chinese.keys()].filter((k) => !english.has(k));
    expect({ onlyEnglish, onlyChinese }).toEqual({ onlyEnglish: [], onlyChinese: [] });
    expect(english.size).toBeGreaterThan(100);
  });

  it('have no empty or non-text values', () => {
    const bad = [...english, ...chinese].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('use the same interpolation placeholders in both languages', () => {
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const mismatched = [...english.keys()].filter(
      (k) => JSON.stringify(placeholders(english.get(k))) !== JSON.stringify(placeholders(chinese.get(k))),
    );
    expect(mismatched).toEqual([]);
  });

  it('translate the Chinese file rather than copy English into it', () => {
    // Product names and codes may stay as they are; sentences may not.
    const copied = [...english].filter(([k, v]) => typeof v === 'string' && v.includes(' ') && chinese.get(k) === v);
    expect(copied.map(([k]) => k)).toEqual([]);
  });
});
