/** Multi-label unconstrained feature model (UFM) with the pick-all-label loss: pure float64 math. */
export * from './design.js';
export * from './pal.js';
export * from './objective.js';
export * from './errors.js';
export * from './optimizer.js';
export * from './lbfgs.js';
export * from './gd.js';
export * from './init.js';
export * from './theory.js';
export * from './theoryPoint.js';
/** The seeded generator every random start takes (`randomUfmPoint(problem, new Rng(seed))`). */
export { Rng } from '../util/rng.js';
