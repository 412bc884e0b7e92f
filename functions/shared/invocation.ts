// The invocation this execution environment is running. Lambda runs one invocation at a time per
// environment, so a module-level value is safe; handlers set it first (runtime.registerInvocation).

let current: { getRemainingTimeInMillis(): number } | undefined;

/** Remembers the running invocation's context, whose remaining time bounds every AWS call. */
export function setInvocation(context: { getRemainingTimeInMillis(): number }): void {
  current = context;
}

/** Milliseconds the running invocation has left; `undefined` before any handler registered one. */
export function remainingTime(): number | undefined {
  return current?.getRemainingTimeInMillis();
}
