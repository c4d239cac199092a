/** `mlnc compare` / `mlnc figures` I/O edge: run directories in, comparison files and figures out. */
export { readTrainingRun, runLabel, type TrainingRun } from './runDir.js';
export { loadRunSnapshot, compareSettingsOf, snapshotToJson, loggedDecoding, type SnapshotOptions } from './snapshot.js';
export { assertWritableOutputs, compareRunDir, type CompareOutput } from './compareRunDir.js';
export { recordsFromMetrics, recordsFromUfmHistory } from './ncRecords.js';
export { ufmGdRun, ufmGeometryInput, ufmGeometryRows, ufmGramInput, ufmStartAndOptimum, UFM_GD_CONFIG } from './ufmFigureData.js';
export { rhoInputFromSweep, rhoInputForNetworks } from './rhoData.js';
export { fixedVsLearnedInput, classifierRunOf } from './fixedVsLearnedData.js';
export { writeFigure, type WrittenFigure } from './writeFigure.js';
export { makeFigures, type MakeFiguresOptions } from './makeFigures.js';
export { discoverRuns, pickDefaultPair, trainShortRuns } from './defaultRuns.js';
