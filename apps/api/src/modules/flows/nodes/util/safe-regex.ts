import vm from 'node:vm';

/**
 * Regular expressions written by tenants, run on text written by contacts. A pattern like `(a+)+$` takes
 * exponential time on a crafted input and would freeze the worker's event loop, so the match runs under V8's
 * execution watchdog (vm's `timeout`, which interrupts a backtracking regex), and pattern and input are bounded.
 * The script text is fixed; neither the pattern nor the input is ever evaluated as code.
 */

export const MAX_PATTERN_LENGTH = 500;
export const MAX_INPUT_LENGTH = 10_000;
export const REGEX_TIME_BUDGET_MS = 50;

const MATCH = new vm.Script('pattern.test(input)');
const sandbox = vm.createContext({ pattern: /(?:)/, input: '' });

export type RegexVerdict = { ok: true; matched: boolean } | { ok: false; error: string };

/** The pattern compiled, or why it cannot be: too long, or not a valid regular expression. */
export function compileRegex(pattern: string, caseSensitive: boolean): RegExp | { ok: false; error: string } {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, error: `the regular expression is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  try {
    return new RegExp(pattern, caseSensitive ? '' : 'i');
  } catch (err) {
    return {
      ok: false,
      error: `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`,
    };
  }
}

/** Compiles `pattern` (flags `i` unless case-sensitive) and tests it against `input`, within the time budget. */
export function safeRegexTest(pattern: string, input: string, caseSensitive: boolean): RegexVerdict {
  const compiled = compileRegex(pattern, caseSensitive);
  if (!(compiled instanceof RegExp)) return compiled;
  sandbox.pattern = compiled;
  sandbox.input = input.slice(0, MAX_INPUT_LENGTH);
  try {
    return { ok: true, matched: MATCH.runInContext(sandbox, { timeout: REGEX_TIME_BUDGET_MS }) === true };
  } catch {
    return {
      ok: false,
      error: `the regular expression ${JSON.stringify(pattern)} took longer than ${REGEX_TIME_BUDGET_MS} ms; simplify it (avoid nested repeats like (a+)+)`,
    };
  } finally {
    sandbox.input = '';
  }
}
