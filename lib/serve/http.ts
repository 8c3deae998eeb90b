/** Request-checking helpers of the service: pure functions over parsed JSON and validation errors. */

/** How deep JSON bodies may nest: the schemas need three levels; anything far deeper is refused before it is walked. */
export const MAX_DEPTH = 32;

/**
 * The first problem in a parsed JSON body, walking it without recursion: a number that is not
 * finite (1e400 parses to Infinity) or nesting deeper than MAX_DEPTH; null when there is none.
 */
export function jsonProblem(body: unknown): { field: string; message: string } | null {
  const stack: [unknown, string, number][] = [[body, '', 0]];
  while (stack.length) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value))
      return { field: path || '(body)', message: 'numbers must be finite' };
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { field: path || '(body)', message: `nested more than ${MAX_DEPTH} levels deep` };
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v] as const);
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], entries[i][0], depth + 1]);
  }
  return null;
}

/** An Ajv error's field as a readable path: `/products/0/title` → `products[0].title`, plus the missing or unknown property. */
export function fieldOf(error: { instancePath: string; keyword: string; params: Record<string, unknown> }): string {
  let path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const extra = (error.params.missingProperty ?? error.params.additionalProperty) as string | undefined;
  if (extra) path = path ? `${path}.${extra}` : extra;
  return path || '(body)';
}

/** An Error carrying an HTTP status (and the field at fault), for Fastify's error handler. */
export function httpError(
  statusCode: number,
  message: string,
  field?: string,
): Error & { statusCode: number; field?: string } {
  return Object.assign(new Error(message), { statusCode, field });
}
