/**
 * The base of every error lib/knox throws of its own: the client's errors (`KnoxClientError`), a
 * request without a complete HTTP answer (`HttpTransportError`), a tenant check that cannot start
 * (`KnoxCheckSetupError`). Each subclass ends in `Error`, sets `name` and keeps `cause`. Knox
 * Guard's own failures are `KnoxGuardError`s from lib/errors instead.
 *
 * @example
 * try { await client.execute('lock', ids, params); }
 * catch (error) { if (error instanceof KnoxError) console.log(error.name); } // e.g. 'KnoxRequestError'
 */
export class KnoxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxError';
  }
}

/**
 * The base of the errors the Knox Guard client throws for problems on our side (configuration,
 * invalid arguments).
 */
export class KnoxClientError extends KnoxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxClientError';
  }
}

/**
 * A programmer error in a call to the client (a lock message over 350 characters, no contact,
 * an empty device id), thrown before any request is sent.
 *
 * @example
 * try { await client.execute('lock', ids, { message: 'x'.repeat(400), tel: '+1555' }); }
 * catch (error) { if (error instanceof KnoxRequestError) console.log(error.field); } // 'message'
 */
export class KnoxRequestError extends KnoxClientError {
  /** The argument that is wrong ('message', 'contact', 'deviceUids', 'operation', ...). */
  readonly field: string;

  constructor(message: string, field: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxRequestError';
    this.field = field;
  }
}

/**
 * `certificate.json` cannot be used: not JSON, no `Public`/`Private` key, an unreadable or
 * non-RSA key, or keys that do not belong together. The message never contains key material.
 *
 * @example
 * try { parseCertificate('{}'); } catch (error) { console.log((error as Error).name); } // 'KnoxCertificateError'
 */
export class KnoxCertificateError extends KnoxClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxCertificateError';
  }
}

/**
 * A call to a Knox Guard path no source confirms (the licence paths) that the client was not
 * opted in to (`unverifiedLicenceApi`); thrown before anything is sent.
 *
 * @example
 * try { await client.listLicenses(); } catch (error) { if (error instanceof KnoxUnverifiedApiError) skip(); }
 */
export class KnoxUnverifiedApiError extends KnoxClientError {
  /** The path that was not called. */
  readonly path: string;

  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxUnverifiedApiError';
    this.path = path;
  }
}
