/**
 * The one validation of a job definition: the SDK (`cron.jobs.create/update/validate`), the REST
 * API (`POST /api/jobs`, `POST /api/jobs/validate`) and the CLI (`vecron jobs validate`) all call
 * {@link validateJobDefinition}, so they accept and refuse exactly the same definitions.
 */
import type { ValidationIssue } from '../errors/errors.js';
import { ValidationError } from '../errors/errors.js';
import { toJsonPath, zodIssues } from '../errors/zod-issues.js';
import { findCredentials } from '../crypto/credentials.js';
import type { AnyExecutor } from '../executor/executor.js';
import { findTemplateReferences, validateStepReferences } from '../template/index.js';
import type { TemplateReference } from '../template/index.js';
import { jobDefinitionSchema } from './job-definition.js';
import type { JobDefinition, StepDefinition } from './job-definition.js';

/** What a definition is checked against besides its own schema. */
export interface JobValidationContext {
  /** The executors that will run the steps: a step of another type is refused, a config is checked against its executor's schema. */
  executors: ReadonlyArray<Pick<AnyExecutor, 'type' | 'config' | 'unrenderedPaths'>>;
  /** Calendars a schedule may name. @default not checked (offline) */
  calendars?: { has(name: string): boolean; names(): string[] };
  /** Variables stored for the job (global and job scope); a `${NAME}` that is neither there nor in the definition's `variables` is a warning. @default not checked */
  variables?: ReadonlySet<string>;
}

/** Outcome of {@link validateJobDefinition}. */
export interface JobValidationResult {
  /** True when the definition can be saved. */
  valid: boolean;
  /** The parsed definition (defaults applied) when valid. */
  definition: JobDefinition | null;
  /** Every problem that stops the definition from being saved, with its JSON path. */
  issues: ValidationIssue[];
  /** Problems that do not stop it, e.g. a `${VAR}` that is not defined yet (the step would fail at run time unless it is set first). */
  warnings: ValidationIssue[];
}

/**
 * Checks a job definition, as JSON or as typed input, without saving it: the job schema, step
 * types against the registered executors, each step's config against its executor's schema (as
 * far as its templates allow: a value holding a template is checked after rendering, at run time),
 * `{{steps.X…}}` references to earlier steps, the schedule's calendar; unknown `${VAR}`s are
 * warnings. Never throws for any input.
 */
export function validateJobDefinition(input: unknown, context: JobValidationContext): JobValidationResult {
  const parsed = jobDefinitionSchema.safeParse(input);
  if (!parsed.success) return { valid: false, definition: null, issues: zodIssues(parsed.error), warnings: [] };
  const def = parsed.data;
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];

  const calendar = def.schedule && 'calendar' in def.schedule ? def.schedule.calendar : undefined;
  if (calendar && context.calendars && !context.calendars.has(calendar)) {
    issues.push({ path: '$.schedule.calendar', message: `unknown calendar "${calendar}"; known calendars: ${context.calendars.names().join(', ')}` });
  }

  const byType = new Map(context.executors.map((e) => [e.type, e]));
  const types = [...byType.keys()].sort();
  def.steps.forEach((step, i) => {
    const executor = byType.get(step.type);
    if (!executor) {
      issues.push({ path: `$.steps[${i}].type`, message: `unknown step type "${step.type}"; registered types: ${types.join(', ') || '(none)'}` });
      return;
    }
    issues.push(...stepConfigIssues(step, i, executor));
  });
  issues.push(...validateStepReferences(def.steps));

  if (context.variables) {
    const known = context.variables;
    for (const ref of variableReferences(def, byType)) {
      if (known.has(ref.expression) || ref.expression in def.variables) continue;
      warnings.push({
        path: ref.jsonPath,
        message: `variable \${${ref.expression}} is not defined; set it (cron.variables.set, or the job's "variables") before the job runs, or the step fails with TEMPLATE_UNRESOLVED`,
      });
    }
  }
  for (const found of findCredentials(input)) {
    const name = credentialVariableName(found.path);
    warnings.push({
      path: toJsonPath(found.path),
      message: `holds a literal credential (${found.kind === 'field' ? 'a credential field' : 'a password, key or token inside the value'}): it is stored in clear and masked when shown; put it in a sensitive variable and write \${${name}} instead`,
    });
  }
  return issues.length ? { valid: false, definition: null, issues, warnings } : { valid: true, definition: def, issues, warnings };
}

/** A variable name to suggest for a credential found at `path` (its last field name, upper case). */
function credentialVariableName(path: ReadonlyArray<string | number>): string {
  const last = [...path].reverse().find((p): p is string => typeof p === 'string') ?? 'SECRET';
  const name = last.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[A-Z_]/.test(name) ? name : `SECRET_${name}`;
}

/** Like {@link validateJobDefinition}, but returns the definition or throws a `ValidationError` listing every issue. */
export function assertValidJobDefinition(input: unknown, context: JobValidationContext): { definition: JobDefinition; warnings: ValidationIssue[] } {
  const result = validateJobDefinition(input, context);
  if (!result.valid || !result.definition) throw new ValidationError('job definition', result.issues);
  return { definition: result.definition, warnings: result.warnings };
}

/**
 * A step config checked against its executor's schema before any rendering. An issue at a value
 * that holds a template (or inside one) is left to the run-time check after rendering; unknown
 * and missing fields are reported whatever the templates.
 */
function stepConfigIssues(step: StepDefinition, index: number, executor: Pick<AnyExecutor, 'config' | 'unrenderedPaths'>): ValidationIssue[] {
  const base = `$.steps[${index}].config`;
  let templated: string[];
  try {
    templated = findTemplateReferences(step.config)
      .map((r) => r.jsonPath)
      .filter((p) => !executor.unrenderedPaths?.(p));
  } catch {
    return []; // a malformed template is reported by validateStepReferences
  }
  let result: ReturnType<typeof executor.config.safeParse>;
  try {
    result = executor.config.safeParse(step.config);
  } catch (err) {
    return [{ path: base, message: `the "${step.type}" executor's config schema threw (a bug in the plugin): ${err instanceof Error ? err.message : String(err)}` }];
  }
  if (result.success) return [];
  const issues: ValidationIssue[] = [];
  for (const issue of result.error.issues) {
    const path = toJsonPath(issue.path);
    const holdsTemplate = issue.code !== 'unrecognized_keys' && templated.some((t) => t === path || t.startsWith(`${path}.`) || t.startsWith(`${path}[`) || path.startsWith(`${t}.`) || path.startsWith(`${t}[`));
    if (holdsTemplate) continue;
    issues.push({ path: base + path.slice(1), message: issue.message });
  }
  return issues;
}

/** Every `${NAME}` the worker renders: in step configs (outside the executor's unrendered paths) and conditions. */
function variableReferences(def: JobDefinition, byType: ReadonlyMap<string, Pick<AnyExecutor, 'unrenderedPaths'>>): TemplateReference[] {
  const refs: TemplateReference[] = [];
  def.steps.forEach((step, i) => {
    try {
      const skip = byType.get(step.type)?.unrenderedPaths;
      const inConfig = findTemplateReferences(step.config);
      refs.push(...inConfig.filter((r) => !skip?.(r.jsonPath)).map((r) => ({ ...r, jsonPath: `$.steps[${i}].config${r.jsonPath.slice(1)}` })));
      if (step.condition) refs.push(...findTemplateReferences(step.condition, { basePath: `$.steps[${i}].condition` }));
    } catch {
      // malformed: reported as an issue by validateStepReferences
    }
  });
  return refs.filter((r) => r.kind === 'variable');
}
