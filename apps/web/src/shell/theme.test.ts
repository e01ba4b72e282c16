import { DEFAULT_THEME } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import {
  consoleCssVariables,
  consoleTheme,
  contrastRatio,
  darkestSurface,
  minimumTextContrast,
  over,
  readableShade,
} from './theme.ts';

describe('console colours (WCAG 2.1 AA, 1.4.3)', () => {
  it('computes the WCAG contrast ratio: black on white is 21, a colour on itself 1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#1971c2', '#1971c2')).toBe(1);
  });

  it("would have refused Mantine's defaults: white on blue.6 and dimmed gray.6 on white are under 4.5:1", () => {
    expect(contrastRatio(DEFAULT_THEME.colors.blue[6], '#ffffff')).toBeLessThan(minimumTextContrast);
    expect(contrastRatio(DEFAULT_THEME.colors.gray[6], '#ffffff')).toBeLessThan(minimumTextContrast);
  });

  it('gives every colour a shade that reads on white, under white text, and on its own light background in a striped row', () => {
    for (const [name, shades] of Object.entries(DEFAULT_THEME.colors)) {
      if (name === 'dark') continue;
      const shade = readableShade(shades);
      expect(contrastRatio(shade, '#ffffff'), name).toBeGreaterThanOrEqual(minimumTextContrast);
      expect(contrastRatio(shade, over(shade, 0.1, darkestSurface)), name).toBeGreaterThanOrEqual(minimumTextContrast);
    }
  });

  it('keeps a colour recognisable: the lightest readable shade is taken, and yellow is darkened only as far as needed', () => {
    const blue = DEFAULT_THEME.colors.blue;
    // blue.8 reads on white (4.9:1) but not on its own light badge background; blue.9 reads on both.
    expect(contrastRatio(blue[8], over(blue[8], 0.1))).toBeLessThan(minimumTextContrast);
    expect(readableShade(blue)).toBe(blue[9]);
    const yellow = readableShade(DEFAULT_THEME.colors.yellow);
    expect(DEFAULT_THEME.colors.yellow).not.toContain(yellow);
    expect(contrastRatio(yellow, '#ffffff')).toBeLessThan(minimumTextContrast + 1.5);
  });

  it('points the variants Mantine draws (filled, light, outline, anchors, dimmed text) at those shades', () => {
    const vars = consoleCssVariables({ ...DEFAULT_THEME, ...consoleTheme } as typeof DEFAULT_THEME).light;
    expect(vars['--mantine-color-red-filled']).toBe(readableShade(DEFAULT_THEME.colors.red));
    expect(vars['--mantine-color-yellow-light-color']).toBe(readableShade(DEFAULT_THEME.colors.yellow));
    expect(vars['--mantine-color-anchor']).toBe(DEFAULT_THEME.colors.blue[9]);
    expect(vars['--mantine-color-dimmed']).toBe('var(--mantine-color-gray-7)');
  });
});
