/**
 * Internal: thrown while compiling a template string. The renderer turns it into a
 * `TemplateError` that also names the JSON path of the string inside the config.
 */
import { TemplateError } from '../errors/errors.js';

export class TemplateSyntaxFailure extends Error {
  /** 0-based position in the template string where the problem starts (reported 1-based in `details.column`). */
  readonly column: number;
  /** The offending piece of the template (e.g. the unclosed `{{ steps.a.output`). */
  readonly snippet: string;
  /** Set when the failure is an unknown filter, so callers can name it. */
  readonly filter: string | undefined;

  constructor(message: string, column: number, snippet: string, filter?: string) {
    super(message);
    this.name = 'TemplateSyntaxFailure';
    this.column = column;
    this.snippet = snippet;
    this.filter = filter;
  }

  /** The public error, naming where the template sits (`jsonPath`). */
  toTemplateError(jsonPath: string): TemplateError {
    return new TemplateError(`${jsonPath}: malformed template: ${this.message}`, this.snippet, {
      details: { jsonPath, reason: 'malformed', column: this.column + 1, ...(this.filter ? { filter: this.filter } : {}) },
    });
  }
}
