/** Public API of the geometry module: pure functions on row-major feature matrices, no tfjs, no filesystem. */
export * from './types.js';
export { canonicalEtf, etfTargetGram, sumZeroBasis, etfEmbedding } from './etf.js';
export { randomOrthogonal } from './orthogonal.js';
export { etfDistance, etfDistanceOfProduct, gram } from './etfDistance.js';
export { groupByLabelSet, type LabelSetGroups } from './labelSets.js';
export { labelSetMeans, classMeans, classMeansFromSetMeans, globalMean, globalMeanQuirk, centreRows } from './means.js';
export { nc1, betweenClassDirections, type Nc1Options } from './nc1.js';
export { nc2W, nc2H, nc2HUncentred } from './nc2.js';
export { nc3 } from './nc3.js';
export { angleDeg } from './angle.js';
export { tagAngle, tagScale, summarizeTagScale, type TagScale, type TagScaleSummary } from './tagwise.js';
export { ncMetrics, type NcInput, type NcReport, type RhoStats } from './metrics.js';
