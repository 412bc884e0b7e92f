import { describe, expect, it } from 'vitest';
import { checkJsonBody, MAX_WEBHOOK_BODY_BYTES } from '../../../lib/webhooks';

describe('checkJsonBody', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/problem+json',
    'application/vnd.knox.v1+json',
    'application/vnd.x+json',
    'application/json;charset="UTF-8"',
    'application/json ; charset=utf-8 ;',
  ])('lets "%s" through', (contentType) => {
    expect(checkJsonBody({ bytes: 10, contentType })).toBeUndefined();
  });

  it.each([
    ['text/plain'],
    ['application/jsonp'],
    ['text/json'],
    [''],
    [undefined],
    // Another media type that merely starts with "json" (break-it pass, item 3: `\b` matched them).
    ['application/json-seq'],
    ['application/jsonx'],
    ['application/vnd.x+json-seq'],
    // A list is not one media type, whichever comes first.
    ['application/json, text/plain'],
    ['application/json; charset=utf-8, text/plain'],
    ['text/plain, application/json'],
    // A parameter without a value.
    ['application/json; charset'],
  ])('refuses content type %s with 415 UNSUPPORTED_MEDIA_TYPE', (contentType) => {
    const refused = checkJsonBody({ bytes: 10, contentType });

    expect(refused?.statusCode).toBe(415);
    expect(refused?.body.error.code).toBe('4150000');
  });

  it('refuses more than the limit with 413 before it looks at the content type', () => {
    const over = checkJsonBody({ bytes: MAX_WEBHOOK_BODY_BYTES + 1, contentType: 'text/plain' });
    const at = checkJsonBody({ bytes: MAX_WEBHOOK_BODY_BYTES, contentType: 'application/json' });

    expect(over?.statusCode).toBe(413);
    expect(over?.body.error.reason).toContain(String(MAX_WEBHOOK_BODY_BYTES + 1));
    expect(at).toBeUndefined();
  });

  it('answers a long run of empty parameters at once (no backtracking blow-up)', () => {
    const contentType = `application/json${'; '.repeat(20_000)}, text/plain`;

    expect(checkJsonBody({ bytes: 10, contentType })?.statusCode).toBe(415);
  });

  it('takes another limit', () => {
    expect(checkJsonBody({ bytes: 11, contentType: 'application/json' }, 10)?.statusCode).toBe(413);
  });
});
