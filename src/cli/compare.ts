import { Option, type Command } from 'commander';
import type { ComparisonReport } from '../compare/index.js';
import { compareRunDir } from '../figures/index.js';
import { formatTable } from './format.js';
import { BACKEND_HELP } from './parse.js';
import { formatCell, formatDifference } from '../plot/comparisonTable.js';

interface CompareFlags {
  backend: string;
  json?: boolean;
}

export function formatComparison(r: ComparisonReport): string {
  const rows = [['quantity', 'UFM', 'network', 'network − UFM', 'note'], ...r.rows.map((row) => [
    row.label, formatCell(row.ufm, 4, row.label), formatCell(row.network, 4, row.label), formatDifference(row.ufm, row.network, 4), row.note ?? '',
  ])];
  const lines: string[] = [formatTable(rows), ''];
  const per = r.design.perSetCount ? Object.entries(r.design.perSetCount).map(([m, n]) => `n${m} = ${n}`).join(', ') : `imbalanced (${r.design.imbalance})`;
  lines.push(`design: K = ${r.K}, N = ${r.N}, ${r.design.labelSets} label sets, ${per}; d = ${r.d}; loss ${r.loss}${r.epoch !== null ? `; epoch ${r.epoch}` : ''}`);
  lines.push(`λ mapping: ${r.mapping.lambdas ? r.mapping.lambdas.explanation : `none (${r.mapping.reason})`}`);
  if (r.mapped) lines.push(`UFM with mapped λ: ${r.mapped.method}${r.mapped.trivial ? ' — optimum W = H = 0' : ''}${r.mapped.note ? ` (${r.mapped.note})` : ''}`);
  if (r.fitted) lines.push(`UFM with fitted scale: ${r.fitted.method}; κ = K·α/(N·λ_H) = ${r.fitted.kappa?.toPrecision(4) ?? '–'}, equivalent λ_H^UFM = ${r.fitted.lambdaH.toPrecision(4)} (${r.fitted.note ?? ''})`);
  else lines.push(`UFM with fitted scale: none (${r.fittedReason})`);
  lines.push('', r.verdict);
  return lines.join('\n');
}

export async function compareCommand(runDir: string, f: CompareFlags): Promise<void> {
  const c = await compareRunDir(runDir, { backend: f.backend, log: (m) => process.stderr.write(`${m}\n`) });
  if (f.json) process.stdout.write(`${JSON.stringify(c.report, null, 2)}\n`);
  else process.stdout.write(`${formatComparison(c.report)}\n\nwrote ${c.json}\nwrote ${c.svg}\n`);
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('set a trained run beside the multi-label UFM\'s prediction for the same K and label-set counts; writes RUN_DIR/compare.json and RUN_DIR/compare.svg')
    .argument('<run-dir>', 'a directory written by mlnc train')
    .addOption(new Option('--backend <name>', BACKEND_HELP).default('auto'))
    .option('--json', 'print the report as JSON')
    .action(async (runDir: string, f: CompareFlags) => compareCommand(runDir, f));
}
