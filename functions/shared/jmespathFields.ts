// The part of JMESPath our idempotency settings use: a plain field name (`key`, `bodyHash`) picked
// from the payload's top level. scripts/build.ts bundles this module in place of
// @aws-lambda-powertools/jmespath (its lexer, parser, interpreter and built-in functions, ~23 KB
// per function), which Powertools idempotency imports for `search` and `PowertoolsFunctions`.
// Unbundled runs (tests, tsx) use the real package; test/unit/functions/jmespathFields.test.ts
// checks that both answer alike.

/** A JMESPath unquoted identifier: the only expressions this module evaluates. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `expression` is a plain field name, which the bundled `search` evaluates as JMESPath does. */
export function isFieldName(expression: string): boolean {
  return FIELD_NAME.test(expression);
}

/**
 * JMESPath `search` for a plain field name: the field of a JSON object (`in`, as
 * @aws-lambda-powertools/jmespath looks it up), `null` for anything else. Any other expression
 * throws, so a setting the bundles cannot evaluate fails on its first use instead of matching
 * nothing.
 *
 * @example
 * search('key', { key: 'chunk#run#0#1', message: {} }); // 'chunk#run#0#1'
 */
export function search(expression: string, data: unknown): unknown {
  if (!isFieldName(expression)) {
    throw new Error(
      `JMESPath is not bundled: "${expression}" is not a plain field name. Use a top-level field ` +
        'of the idempotent payload, or remove the jmespath stand-in from scripts/build.ts.',
    );
  }
  const isObject = Object.prototype.toString.call(data) === '[object Object]';
  return isObject && expression in (data as object) ? (data as Record<string, unknown>)[expression] : null;
}

/**
 * Stands in for Powertools' custom JMESPath functions (`powertools_json`, ...): IdempotencyConfig
 * creates one for every config, but only the real interpreter ever calls its functions.
 */
export class PowertoolsFunctions {}
