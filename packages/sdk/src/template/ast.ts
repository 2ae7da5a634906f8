/** The parsed form of a template string. Produced by `compileTemplate`, read by the renderer. */

/** One step of a reference path: `.field` / `["key"]` or `[0]`. */
export type PathSegment = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number };

/** A reference such as `steps.fetch.output.rows[0].id`. */
export interface PathOperand {
  readonly type: 'path';
  /** First identifier: `steps`, `webhook`, `payload`, `job_id`, `execution_id`, `execution_date`, `scheduled_for`. */
  readonly root: string;
  readonly segments: readonly PathSegment[];
}

/** A literal in a filter argument (`'yyyyMMdd'`, `-1`, `true`, `null`) or a quoted string as the whole expression. */
export interface LiteralOperand {
  readonly type: 'literal';
  readonly value: string | number | boolean | null;
}

/** Either side of a filter pipeline. */
export type Operand = PathOperand | LiteralOperand;

/** `| name:arg:arg` after a reference. */
export interface FilterCall {
  readonly name: string;
  readonly args: readonly Operand[];
}

/** `${NAME}` */
export interface VariableNode {
  readonly type: 'variable';
  readonly name: string;
}

/** `{{ primary | filter:arg … }}` */
export interface ReferenceNode {
  readonly type: 'reference';
  /** The text between the braces, trimmed. */
  readonly expression: string;
  readonly primary: Operand;
  readonly filters: readonly FilterCall[];
}

/** Literal text, a variable or a reference. */
export type TemplatePart = string | VariableNode | ReferenceNode;

/** A compiled template string. */
export interface CompiledTemplate {
  /** Literal runs and substitutions, in order. Adjacent literal runs are merged. */
  readonly parts: readonly TemplatePart[];
  /** True when rendering returns the source unchanged (no substitutions, no escapes). */
  readonly identity: boolean;
}

/** Identifier-like keys print as `.key`, others as `["key"]`, indexes as `[0]`. */
const DOT_KEY = /^[A-Za-z0-9_-]+$/;

/** Formats a reference path the way a user writes it: `steps.fetch.output.rows[3].id`. */
export function formatPath(root: string, segments: readonly PathSegment[], count = segments.length): string {
  let out = root;
  for (let i = 0; i < count; i++) {
    const seg = segments[i]!;
    if (seg.kind === 'index') out += `[${seg.index}]`;
    else if (DOT_KEY.test(seg.key)) out += `.${seg.key}`;
    else out += `[${JSON.stringify(seg.key)}]`;
  }
  return out;
}
