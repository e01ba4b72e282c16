import { type CSSVariablesResolver, createTheme, DEFAULT_THEME, type MantineColorsTuple } from '@mantine/core';

/**
 * The console's colours, held to WCAG 2.1 AA contrast (1.4.3: 4.5:1 for text) in the light scheme that it uses.
 * Mantine's defaults are not: white on blue.6 is 3.6:1, dimmed gray.6 on white 3.3:1, yellow text on its light badge
 * 2:1. Rather than a hand-picked shade per colour, each colour's filled, light and outline variants take the lightest
 * of its shades that reaches the ratio against what it is drawn on; a colour none of whose shades does (yellow,
 * orange) is darkened until it does.
 */
export const minimumTextContrast = 4.5;

type Rgb = readonly [number, number, number];

function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (m === null) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [Number.parseInt(m[1] ?? '', 16), Number.parseInt(m[2] ?? '', 16), Number.parseInt(m[3] ?? '', 16)];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.1 relative luminance. */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2.1 contrast ratio of two opaque colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(parseHex(a)), luminance(parseHex(b))].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `colour` at `opacity` laid over `base`, as the light variants' translucent backgrounds are drawn. */
export function over(colour: string, opacity: number, base = '#ffffff'): string {
  const [c, b] = [parseHex(colour), parseHex(base)];
  return toHex([0, 1, 2].map((i) => (c[i] ?? 0) * opacity + (b[i] ?? 0) * (1 - opacity)) as unknown as Rgb);
}

function darken(colour: string, step: number): string {
  return toHex(parseHex(colour).map((c) => c * (1 - step)) as unknown as Rgb);
}

/** The light variants' background opacity, as Mantine draws it. */
const lightOpacity = 0.1;

/** The darkest surface a light badge sits on: a striped or hovered table row (gray.1). */
export const darkestSurface = '#f1f3f5';

/**
 * The lightest shade from 6 up of `shades` (or shade 9 darkened) that reads at `minimumTextContrast` as text on white,
 * as white text on itself, and as text on its own light background laid over the darkest surface.
 */
export function readableShade(shades: readonly string[]): string {
  const readable = (c: string) =>
    contrastRatio(c, '#ffffff') >= minimumTextContrast &&
    contrastRatio(c, over(c, lightOpacity, darkestSurface)) >= minimumTextContrast;
  for (const shade of shades.slice(6)) if (readable(shade)) return shade;
  let colour = shades[9] ?? shades[shades.length - 1] ?? '#000000';
  for (let i = 0; i < 60 && !readable(colour); i++) colour = darken(colour, 0.02);
  return colour;
}

export const consoleTheme = createTheme({ primaryColor: 'blue' });

/** The CSS variables Mantine's components read for each colour's variants, set to the readable shade. */
export const consoleCssVariables: CSSVariablesResolver = (theme) => {
  const light: Record<string, string> = {
    // Secondary text (descriptions, hints, table captions): gray.7 on white is 7.5:1.
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
  };
  const colours = { ...DEFAULT_THEME.colors, ...theme.colors } as Record<string, MantineColorsTuple>;
  for (const [name, shades] of Object.entries(colours)) {
    if (name === 'dark') continue;
    const shade = readableShade(shades);
    light[`--mantine-color-${name}-filled`] = shade;
    light[`--mantine-color-${name}-filled-hover`] = darken(shade, 0.1);
    light[`--mantine-color-${name}-light`] = `color-mix(in srgb, ${shade} ${lightOpacity * 100}%, transparent)`;
    light[`--mantine-color-${name}-light-hover`] = `color-mix(in srgb, ${shade} ${lightOpacity * 120}%, transparent)`;
    light[`--mantine-color-${name}-light-color`] = shade;
    light[`--mantine-color-${name}-outline`] = shade;
    light[`--mantine-color-${name}-text`] = shade;
  }
  light['--mantine-color-anchor'] = light[`--mantine-color-${theme.primaryColor}-filled`] ?? '';
  return { variables: {}, light, dark: {} };
};
