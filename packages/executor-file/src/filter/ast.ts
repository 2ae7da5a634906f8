/** A literal in a filter condition. */
export type Literal =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' };

/** A column reference or a literal. */
export type Operand =
  | { readonly kind: 'column'; readonly name: string; readonly pos: number }
  | { readonly kind: 'literal'; readonly literal: Literal; readonly pos: number };

/** Comparison operators (`==` is read as `=`, `<>` as `!=`). */
export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** The parsed condition. */
export type Expr =
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly expr: Expr }
  | { readonly kind: 'compare'; readonly op: ComparisonOp; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'is-null'; readonly operand: Operand; readonly negated: boolean }
  | { readonly kind: 'in'; readonly operand: Operand; readonly list: readonly Operand[]; readonly negated: boolean }
  | { readonly kind: 'like'; readonly operand: Operand; readonly pattern: string; readonly caseInsensitive: boolean; readonly negated: boolean }
  | { readonly kind: 'between'; readonly operand: Operand; readonly low: Operand; readonly high: Operand; readonly negated: boolean }
  | { readonly kind: 'truthy'; readonly operand: Operand };

/** Column names a condition refers to, in order of first use. */
export function referencedColumns(expr: Expr): string[] {
  const out = new Set<string>();
  const op = (o: Operand): void => {
    if (o.kind === 'column') out.add(o.name);
  };
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'and':
      case 'or':
        walk(e.left);
        walk(e.right);
        break;
      case 'not':
        walk(e.expr);
        break;
      case 'compare':
        op(e.left);
        op(e.right);
        break;
      case 'in':
        op(e.operand);
        e.list.forEach(op);
        break;
      case 'between':
        op(e.operand);
        op(e.low);
        op(e.high);
        break;
      default:
        op(e.operand);
    }
  };
  walk(expr);
  return [...out];
}
