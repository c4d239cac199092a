/** Figure renderers: (data) → standalone SVG string, no filesystem access. svgToPng lives in ./png.js (needs @resvg/resvg-js). */
export { FigureDataError } from './figureDataError.js';
export { ncCurvesFigure, ncPanelSpecs, type NcCurvesInput, type NcRecord, type NcRun } from './ncCurves.js';
export { geometryFigure, type GeometryCell, type GeometryInput, type GeometryRow, type GeometrySnapshot, type Rows } from './geometry.js';
export { rhoFigure, type RhoInput, type RhoPoints, type RhoTheoryCurve } from './rho.js';
export { gramFigure, type GramInput } from './gram.js';
export { fixedVsLearnedFigure, type ClassifierRun, type FixedVsLearnedInput } from './fixedVsLearned.js';
export { comparisonTableFigure, type ComparisonRow, type ComparisonTableInput } from './comparisonTable.js';
