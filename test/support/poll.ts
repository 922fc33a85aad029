/**
 * The one polling helper of the tests. What another instance's changes feed, a silent peer or a
 * background task does has no event a test can wait on, so it polls; the limit is a deadline for
 * a failing run, never a timing assertion.
 */

/** Polls until `probe` holds: true when it did, false after `limitMs`. */
export async function until(probe: () => boolean | Promise<boolean>, limitMs = 10_000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `until`, failing with what it waited for when the deadline passes. */
export async function waitFor(probe: () => boolean | Promise<boolean>, limitMs = 5000, what = 'the condition'): Promise<void> {
  if (!(await until(probe, limitMs, 5))) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
}
