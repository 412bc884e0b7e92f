import { describe, expect, it } from 'vitest';
import { unmatchedRoute } from '../../../lib/webhooks';

const ROUTES = [
  { method: 'POST', path: '/operations' },
  { method: 'POST', path: '/knox/notifications' },
  { method: 'GET', path: '/knox/notifications' },
];

describe('unmatchedRoute', () => {
  it.each([
    ['GET', '/operations', 'POST'],
    ['PUT', '/operations/', 'POST'],
    ['DELETE', '/knox/notifications', 'POST, GET'],
    ['', '/operations', 'POST'],
  ])('%s %s: 405 METHOD_NOT_ALLOWED, allow %s', (method, path, allow) => {
    const answer = unmatchedRoute(ROUTES, { method, path });

    expect(answer.allow).toBe(allow);
    expect(answer.error.statusCode).toBe(405);
    expect(answer.error.body.error).toMatchObject({ code: '4050000', message: 'METHOD_NOT_ALLOWED' });
  });

  it.each([
    ['POST', '/'],
    ['POST', '/operations/x'],
    ['POST', '/Operations'],
    ['GET', ''],
  ])('%s "%s": 404 NOT_FOUND without allow', (method, path) => {
    const answer = unmatchedRoute(ROUTES, { method, path });

    expect(answer.allow).toBeUndefined();
    expect(answer.error.statusCode).toBe(404);
    expect(answer.error.body.error).toMatchObject({ code: '4040000', message: 'NOT_FOUND' });
  });

  it.each([
    ['POST', '/operations//', '"/operations//"'],
    ['GET', '/operations/', '"/operations/"'],
    ['POST', '/knox//notifications', '"/knox//notifications"'],
  ])('%s %s: the reason names the path as sent (break-it pass, item 5)', (method, path, quoted) => {
    const answer = unmatchedRoute(ROUTES, { method, path });

    expect(answer.error.body.error.reason).toContain(quoted);
  });

  it('masks a device id or phone number in the quoted path', () => {
    const answer = unmatchedRoute(ROUTES, {
      method: 'GET',
      path: '/devices/356938035643809/call/+4915123456789',
    });
    const { reason } = answer.error.body.error;

    expect(reason).not.toContain('356938035643809');
    expect(reason).not.toContain('15123456789');
    expect(reason).toContain('/devices/');
  });

  it('quotes at most 100 characters of the path, control characters escaped', () => {
    const answer = unmatchedRoute(ROUTES, { method: 'GET', path: `/\n${'a'.repeat(500)}` });

    expect(answer.error.body.error.reason).not.toContain('\n');
    expect(answer.error.body.error.reason.length).toBeLessThan(130);
  });
});
