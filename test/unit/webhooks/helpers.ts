import { readFileSync } from 'node:fs';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

export const TEST_CERT_PEM = fixture('knox-test-validation.cert.pem');
export const TEST_KEY_PEM = fixture('knox-test-signing.key.pem');
export const OTHER_KEY_PEM = fixture('other-signing.key.pem');
export const EC_CERT_PEM = fixture('ec-test-validation.cert.pem');
export const EC_KEY_PEM = fixture('ec-test-signing.key.pem');

/**
 * Appends the Luhn check digit to 14 digits, written independently of lib/webhooks (sum of the
 * digits of the doubled values) so the tests do not check the code against itself.
 */
export function withCheckDigit(fourteen: string): string {
  const digits = [...fourteen].map(Number).reverse();
  const sum = digits.reduce((acc, d, i) => {
    if (i % 2 === 1) return acc + d;
    const doubled = String(d * 2);
    return acc + [...doubled].map(Number).reduce((a, b) => a + b, 0);
  }, 0);
  return `${fourteen}${(10 - (sum % 10)) % 10}`;
}
