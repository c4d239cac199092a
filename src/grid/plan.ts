/**
 * A grid plan: a base `train` configuration, axes (a `mlnc train` flag name and its list of values), optional `exclude`
 * and `include` for non-product designs, a `name`, and optional Slurm resources. Read from JSON or YAML and checked
 * with a zod schema before anything runs; the flags and values themselves are checked against `mlnc train` by the
 * expansion (expand.ts), which knows the flags.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GridError } from './gridError.js';

/** A flag's value: a string, number or boolean (a boolean flag is on or off), or a list of numbers (`counts`). */
export const FlagValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.number()).min(1)]);
export type FlagValue = z.infer<typeof FlagValueSchema>;

const Assignment = z.record(z.string(), FlagValueSchema);
export type Assignment = z.infer<typeof Assignment>;

/**
 * One value of an axis: a flag value, or a bundle of flags that go together (e.g. a dataset and its --data-dir:
 * `{"dataset": "mlab-cifar10", "data-dir": "data/cifar-10-batches-bin"}`).
 */
export const AxisValueSchema = z.union([FlagValueSchema, Assignment]);
export type AxisValue = z.infer<typeof AxisValueSchema>;

/** `#SBATCH` resources; `mlnc grid run` flags override them. */
export const SlurmPlanSchema = z.object({
  partition: z.string().min(1).optional(),
  time: z.string().min(1).optional(),
  cpusPerTask: z.number().int().positive().optional(),
  mem: z.string().min(1).optional(),
  gres: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  qos: z.string().min(1).optional(),
  /** At most this many array tasks run at once (`--array=0-N%LIMIT`). */
  arrayLimit: z.number().int().positive().optional(),
  /** Further `#SBATCH` lines as written, e.g. "--constraint=a100". */
  extra: z.array(z.string().regex(/^--[a-z][a-z-]*(=.*)?$/, 'an sbatch option such as --constraint=a100')).optional(),
}).strict();
export type SlurmPlan = z.infer<typeof SlurmPlanSchema>;

export const PlanSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"').optional(),
  description: z.string().optional(),
  /** Flags shared by every run. */
  train: Assignment.default({}),
  /** Flag → values (or name → bundles of flags); the runs are the product of all axes, the first axis outermost. */
  axes: z.record(z.string(), z.array(AxisValueSchema).min(1, 'an axis needs at least one value')).default({}),
  /** Runs removed from the product: every run that has all the listed values. */
  exclude: z.array(Assignment.refine((a) => Object.keys(a).length > 0, 'an empty exclude entry would remove every run')).default([]),
  /** Extra runs: `train` plus these values (flags not given take their `train` value). */
  include: z.array(Assignment).default([]),
  slurm: SlurmPlanSchema.optional(),
}).strict();
export type Plan = z.infer<typeof PlanSchema>;

/** A zod failure as one line: where in the plan, and what is wrong. */
function describeIssue(file: string, err: z.ZodError): string {
  const issue = err.issues[0];
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the plan';
  return `${file}: ${where}: ${issue.message}`;
}

/** Checks a parsed plan object; `file` names it in errors. */
export function parsePlan(value: unknown, file: string): Plan {
  const r = PlanSchema.safeParse(value);
  if (!r.success) throw new GridError(describeIssue(file, r.error));
  return r.data;
}

/** Reads PLAN (.json, or .yaml/.yml) and checks it against the schema. */
export function readPlan(path: string): { plan: Plan; name: string } {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new GridError(`plan ${path} is not a file`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof GridError) throw err;
    throw new GridError(`cannot read plan ${path} (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  const ext = extname(path).toLowerCase();
  let value: unknown;
  try {
    value = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new GridError(`${path} is not valid ${ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON'} (${(err as Error).message.split('\n')[0]})`);
  }
  const plan = parsePlan(value, path);
  return { plan, name: plan.name ?? basename(path, extname(path)) };
}
