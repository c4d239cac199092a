/** A short plain-language verdict generated from the comparison's numbers (no hand-written claims). */
import type { ComparisonReport } from './compareRun.js';

type Core = Omit<ComparisonReport, 'rows' | 'verdict'>;

const f = (v: number, digits = 3) => (Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(digits)).toString() : v.toExponential(1));

/** "close to" / "moderately far from" / "far from" an ETF, on the etf-distance scale [0, 2]. */
function etfWords(v: number): string {
  return v < 0.1 ? 'close to' : v < 0.3 ? 'moderately far from' : 'far from';
}

export function writeVerdict(r: Core): string {
  const n = r.network;
  const parts: string[] = [];
  const fixed = r.mapped?.method.includes('fixed') ?? false;
  if (n.nc2W !== null && !fixed) parts.push(`The classifier is ${etfWords(n.nc2W)} a simplex ETF (NC2_W = ${f(n.nc2W)})`);
  else if (fixed) parts.push(`The classifier is frozen to the simplex ETF`);
  parts.push(`the class means are ${etfWords(n.nc2H)} one (NC2_H = ${f(n.nc2H)})`);
  if (n.nc3 !== null) parts.push(`${n.nc3 < 0.1 ? 'and classifier and means are nearly self-dual' : n.nc3 < 0.3 ? 'and classifier and means are partly aligned' : 'and classifier and means are not yet aligned'} (NC3 = ${f(n.nc3)})`);
  let text = `${parts.join(', ')}. `;
  text += n.nc1 < 0.05
    ? `Features of a class have collapsed to their mean (NC1 = ${f(n.nc1)}). `
    : n.nc1 < 0.5 ? `Features of a class are partly collapsed (NC1 = ${f(n.nc1)}; the UFM predicts 0). `
      : `Features of a class are far from collapsed (NC1 = ${f(n.nc1)}; the UFM predicts 0). `;
  const rhoBits: string[] = [];
  for (const [m, s] of Object.entries(n.rho)) {
    const bits: string[] = [];
    if (r.fitted?.rho[m] !== undefined) bits.push(`${f(r.fitted.rho[m])} with the fitted scale`);
    if (r.mapped && !r.mapped.trivial && r.mapped.rho[m] !== undefined) bits.push(`${f(r.mapped.rho[m])} with the mapped λ`);
    const within = s.mean > 1 && s.mean < Number(m);
    rhoBits.push(`the multiplicity-${m} features are ${s.directionErrorDeg < 10 ? '' : 'only roughly '}tag-wise averages (direction error ${s.directionErrorDeg.toFixed(1)}°) with scale ρ̂_${m} = ${f(s.mean)}` +
      `${bits.length ? ` vs the UFM's ${bits.join(' and ')}` : ''}${within ? '' : ` (outside the UFM's range 1 < ρ < ${m})`}`);
  }
  if (rhoBits.length) text += `${capitalise(rhoBits.join('; '))}. `;
  if (r.mapped && !r.mapped.trivial && n.logitGap['1'] !== undefined && r.mapped.logitGap['1'] !== undefined) {
    const ratio = n.logitGap['1'] / r.mapped.logitGap['1'];
    text += `With λ mapped from the training loss the UFM predicts a logit gap of ${f(r.mapped.logitGap['1'])} for single labels, the network has ${f(n.logitGap['1'])} (${ratio > 1 ? `${f(ratio, 2)}× larger` : `${f(1 / ratio, 2)}× smaller`}): ` +
      `${n.nc1 >= 0.5 ? 'the network is still far from the UFM\'s regime, so the gap says more about training time than about λ'
        : ratio < 1 ? 'consistent with more regularisation than the explicit λ (weight decay on the backbone) or with training that has not converged' : 'the network\'s effective regularisation is weaker than the mapped λ'}. `;
  } else if (r.mapped?.trivial) {
    text += 'With λ mapped from the training loss the UFM\'s optimum is W = H = 0, while the network learned non-zero features. ';
  } else if (r.mapping.reason) {
    text += `No λ mapping: ${r.mapping.reason}. `;
  }
  if (n.decoding) {
    text += `Nearest-prototype decoding gets ${(100 * n.decoding.classMeans).toFixed(1)}% of test label sets exactly right (class-mean prototypes; the UFM's optimum decodes 100%).`;
  }
  return text.trim();
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
