/** `mlnc compare`'s pure logic: network geometry vs the multi-label UFM's prediction. No fs, no tfjs. */
export * from './lambdaMapping.js';
export * from './gapEquation.js';
export * from './labelSetCounts.js';
export * from './logitGap.js';
export * from './ufmPrediction.js';
export * from './report.js';
export * from './compareRun.js';
export * from './verdict.js';
