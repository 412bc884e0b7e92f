// The part of JMESPath the logger's correlation id uses: a dotted path of plain field names
// (`requestContext.requestId`, the path of HTTP API events). Powertools' own `search` for the
// logger (`@aws-lambda-powertools/logger/correlationId`) needs @aws-lambda-powertools/jmespath as
// a top-level dependency, which this project does not declare (only Powertools idempotency
// depends on it, and bundles its own copy). test/unit/functions/jmespathFields.test.ts checks that
// this subset answers as that package does.

/** A JMESPath unquoted identifier: the only expressions this module evaluates. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `expression` is a plain field name, which the bundled `search` evaluates as JMESPath does. */
export function isFieldName(expression: string): boolean {
  return FIELD_NAME.test(expression);
}

/** Whether `expression` is a dot-separated path of plain field names (a JMESPath sub-expression). */
export function isFieldPath(expression: string): boolean {
  return expression.split('.').every(isFieldName);
}

/**
 * JMESPath `search` for a plain field name or a dotted path of them: each step takes the field of
 * a JSON object (`in`, as @aws-lambda-powertools/jmespath looks it up), and anything else gives
 * `null`, as a JMESPath sub-expression does. Any other expression throws, so a setting the
 * bundles cannot evaluate fails on its first use instead of matching nothing.
 *
 * @example
 * search('key', { key: 'chunk#run#0#1', message: {} }); // 'chunk#run#0#1'
 * search('requestContext.requestId', event); // the HTTP API request id
 */
export function search(expression: string, data: unknown): unknown {
  if (!isFieldPath(expression)) {
    throw new Error(
      `JMESPath is not bundled: "${expression}" is not a plain field name or a path of them. Use ` +
        'such a path as the correlation id path, or give the logger the real jmespath search.',
    );
  }
  let value: unknown = data;
  for (const field of expression.split('.')) {
    const isObject = Object.prototype.toString.call(value) === '[object Object]';
    value = isObject && field in (value as object) ? (value as Record<string, unknown>)[field] : null;
  }
  return value;
}
