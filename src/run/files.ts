/**
 * The layout of a run directory (`mlnc train --out RUN_DIR`), the one place that names its files:
 *
 *   RUN_DIR/config.json           what the run is (the training config under `train`, data, backend, conventions)
 *   RUN_DIR/metrics.jsonl         one JSON line per epoch (see metrics.ts)
 *   RUN_DIR/checkpoints/          epoch-NNNN/ every ncEvery epochs and at the end, last/ after other epochs (checkpoints.ts)
 *   RUN_DIR/final-features.json   the final features, logits and classifier, cached by compare and figures
 *   RUN_DIR/compare.json, .svg    `mlnc compare`'s report and table
 *   RUN_DIR/validate.json         `mlnc validate`'s recomputed metrics
 *   RUN_DIR/mlnc.lock             held by the one process writing the directory (lock.ts; also locks grid and figure folders)
 */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  finalFeatures: 'final-features.json',
  compareJson: 'compare.json',
  compareSvg: 'compare.svg',
  validate: 'validate.json',
  lock: 'mlnc.lock',
} as const;

export type RunFile = keyof typeof RUN_FILES;

/** The base name under which compare's table figure is written (writeFigure adds `.svg`). */
export const COMPARE_FIGURE = RUN_FILES.compareSvg.slice(0, -'.svg'.length);
