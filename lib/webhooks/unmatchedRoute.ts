import { maskExcerpt } from '../privacy';
import { apiError, type KnoxErrorResponse } from './knoxErrorEnvelope';

/** One route of an HTTP API: its method and static path (`POST /operations`). */
export interface HttpRoute {
  readonly method: string;
  readonly path: string;
}

/** The answer for a request no route took: the error, and for a 405 the `allow` header's value. */
export interface UnmatchedRouteAnswer {
  readonly error: KnoxErrorResponse;
  /** Comma-separated methods the path does take (RFC 9110 §15.5.6: a 405 carries `Allow`). */
  readonly allow?: string;
}

/** Longest part of the requested path quoted back in the reason (characters, `...` included). */
const MAX_QUOTED_PATH = 100;

/**
 * Why a request matched no route: `405 METHOD_NOT_ALLOWED` (with the methods the path takes) when
 * some route has the path, else `404 NOT_FOUND`, both in the Knox-style envelope. A single
 * trailing slash is ignored, as the router ignores it (`/operations/` is `/operations`). The reason
 * quotes the path as sent (`/operations//`, not the path the comparison used), its device ids,
 * phone numbers and e-mail addresses masked, cut to 100 characters (lib/privacy `maskExcerpt`). Pure.
 *
 * @example
 * unmatchedRoute([{ method: 'POST', path: '/operations' }], { method: 'GET', path: '/operations' });
 * // { error: { statusCode: 405, body: { error: { code: '4050000', ... } } }, allow: 'POST' }
 */
export function unmatchedRoute(
  routes: readonly HttpRoute[],
  request: { readonly method: string; readonly path: string },
): UnmatchedRouteAnswer {
  const path = withoutTrailingSlash(request.path);
  const quoted = JSON.stringify(maskExcerpt(request.path, MAX_QUOTED_PATH));
  const methods = [
    ...new Set(routes.filter((route) => withoutTrailingSlash(route.path) === path).map((r) => r.method)),
  ];
  if (methods.length === 0) return { error: apiError('NOT_FOUND', `No route ${quoted}.`) };
  return {
    error: apiError('METHOD_NOT_ALLOWED', `${quoted} accepts ${methods.join(', ')} only.`),
    allow: methods.join(', '),
  };
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
