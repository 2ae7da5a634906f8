import { createHash } from 'node:crypto';

const names = new Map<string, string>();

/**
 * The name of the prepared statement for `text`: derived from a hash of the text, so one name
 * always means one text on a connection (node-pg and PostgreSQL require it), in every pool and
 * process. Only constant texts are prepared, so the memo stays as small as their number.
 */
export function preparedName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `vecron_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
