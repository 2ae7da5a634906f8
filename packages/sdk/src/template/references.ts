/**
 * Save-time checks of templates: which variables and references a job uses, and whether each
 * `{{steps.X…}}` names a step that runs earlier.
 */
import type { ValidationIssue } from '../errors/errors.js';
import { toJsonPath } from '../errors/zod-issues.js';
import type { Operand, ReferenceNode } from './ast.js';
import { compileTemplate } from './parse.js';
import { TemplateSyntaxFailure } from './syntax-failure.js';
import { forEachString, isPlainObject } from './walk.js';

/** One `${NAME}` or `{{ … }}` found in a value. */
export interface TemplateReference {
  /** `variable` for `${NAME}`, `reference` for `{{ … }}`. */
  kind: 'variable' | 'reference';
  /** The variable's name (`API_TOKEN`), or the text between the braces, trimmed (`steps.a.output.rows | json`). */
  expression: string;
  /** Where the template sits, e.g. `$.steps[2].config.url`. */
  jsonPath: string;
  /** Step ids the reference reads, in its path or in filter arguments; empty for variables. */
  stepIds: string[];
}

/** Options of {@link findTemplateReferences} and {@link validateStepReferences}. */
export interface TemplateScanOptions {
  /**
   * JSON path prefixed to reported paths.
   * @default '$' for findTemplateReferences, '$.steps' for validateStepReferences
   */
  basePath?: string;
}

/**
 * Lists every variable and reference in `value`, in document order.
 * @throws TemplateError (reason `malformed`) at the first malformed template.
 */
export function findTemplateReferences(value: unknown, options: TemplateScanOptions = {}): TemplateReference[] {
  const base = options.basePath ?? '$';
  const found: TemplateReference[] = [];
  forEachString(value, (text, path) => {
    const jsonPath = base + toJsonPath(path).slice(1);
    let parts;
    try {
      parts = compileTemplate(text).parts;
    } catch (err) {
      if (err instanceof TemplateSyntaxFailure) throw err.toTemplateError(jsonPath);
      throw err;
    }
    for (const part of parts) {
      if (typeof part === 'string') continue;
      if (part.type === 'variable') found.push({ kind: 'variable', expression: part.name, jsonPath, stepIds: [] });
      else found.push({ kind: 'reference', expression: part.expression, jsonPath, stepIds: stepIdsOf(part) });
    }
  });
  return found;
}

function stepIdsOf(node: ReferenceNode): string[] {
  const ids: string[] = [];
  const add = (op: Operand): void => {
    if (op.type === 'path' && op.root === 'steps' && op.segments[0]?.kind === 'key' && !ids.includes(op.segments[0].key)) {
      ids.push(op.segments[0].key);
    }
  };
  add(node.primary);
  for (const f of node.filters) f.args.forEach(add);
  return ids;
}

/**
 * Checks the templates of a job's steps: each must be well formed, and every `{{steps.X…}}` must
 * name a step that comes EARLIER in the list (outputs of later steps, of the step itself or of
 * unknown ids do not exist when it runs). The step's `id` field itself is not scanned.
 *
 * @returns one issue per problem, with the JSON path of the string, e.g. `$.steps[2].config.url`;
 *   an empty array when all is well.
 */
export function validateStepReferences(steps: readonly unknown[], options: TemplateScanOptions = {}): ValidationIssue[] {
  const base = options.basePath ?? '$.steps';
  const ids = steps.map((s) => (isPlainObject(s) && typeof s['id'] === 'string' ? s['id'] : undefined));
  const issues: ValidationIssue[] = [];
  steps.forEach((step, index) => {
    const fields = isPlainObject(step) ? Object.fromEntries(Object.entries(step).filter(([k]) => k !== 'id')) : step;
    const earlier = ids.slice(0, index).filter((id): id is string => id !== undefined);
    forEachString(fields, (text, path) => {
      const jsonPath = `${base}[${index}]${toJsonPath(path).slice(1)}`;
      let parts;
      try {
        parts = compileTemplate(text).parts;
      } catch (err) {
        if (!(err instanceof TemplateSyntaxFailure)) throw err;
        issues.push({ path: jsonPath, message: `malformed template: ${err.message}` });
        return;
      }
      for (const part of parts) {
        if (typeof part === 'string' || part.type !== 'reference') continue;
        for (const id of stepIdsOf(part)) {
          if (earlier.includes(id)) continue;
          const ref = `{{${part.expression}}}`;
          const later = ids.indexOf(id, index + 1);
          let message: string;
          if (ids[index] === id) {
            message = `${ref} refers to this step's own output; a step can only use outputs of steps before it`;
          } else if (later >= 0) {
            message = `${ref} refers to step "${id}", which runs after this one (${base}[${later}]); a step can only use outputs of steps before it`;
          } else {
            message = `${ref} refers to unknown step "${id}"; ${earlier.length ? `steps before this one: ${earlier.join(', ')}` : 'there are no steps before this one'}`;
          }
          issues.push({ path: jsonPath, message });
        }
      }
    });
  });
  return issues;
}
