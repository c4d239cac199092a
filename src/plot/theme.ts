/** One visual theme for every figure: fonts, colours, margins. resvg needs an installed font family named explicitly. */
import * as d3 from 'd3';

export const FONT_FAMILY = 'DejaVu Sans, Arial, sans-serif';

export const theme = {
  fontFamily: FONT_FAMILY,
  titleSize: 16,
  panelTitleSize: 13,
  labelSize: 13,
  tickSize: 12,
  legendSize: 12,
  noteSize: 11,
  text: '#222222',
  muted: '#666666',
  grid: '#e6e6e6',
  axis: '#444444',
  reference: '#9a9a9a',
  lineWidth: 2,
  /** Categorical colours (runs, multiplicities, label sets), Tableau 10 as in d3. */
  colors: d3.schemeTableau10 as readonly string[],
  margin: { top: 34, right: 16, bottom: 46, left: 64 },
} as const;

/** The i-th categorical colour; cycles after ten. */
export function categoricalColor(i: number): string {
  const c = theme.colors;
  return c[((i % c.length) + c.length) % c.length];
}
