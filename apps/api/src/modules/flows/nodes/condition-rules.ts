import type { TConditionRule } from '@orbitdesk/shared';
import type { FlowRunContext } from '../engine/node-handler.js';
import { renderTemplate, resolveTemplate } from './template.js';
import { isEmptyValue, toNumber } from './util/coerce.js';
import { safeRegexTest } from './util/safe-regex.js';
import { toText } from './util/text.js';

/** Placeholders filled from the message's understanding (intent, sentiment, language), which may need the AI. */
const UNDERSTANDING_PLACEHOLDER = /\{\{\s*message\.(?:intent|sentiment|language)\s*\}\}/;

/** Whether a rule reads the message's understanding (a regex's `right` is a pattern, never a placeholder). */
export const readsUnderstanding = (rule: TConditionRule): boolean =>
  UNDERSTANDING_PLACEHOLDER.test(rule.left) ||
  (rule.operator !== 'regex' && UNDERSTANDING_PLACEHOLDER.test(rule.right));

export type RuleVerdict = { ok: true; matched: boolean } | { ok: false; error: string };

const fold = (text: string, caseSensitive: boolean) =>
  caseSensitive ? text.trim() : text.trim().toLowerCase();

function sameValue(left: unknown, right: string, caseSensitive: boolean): boolean {
  const a = toNumber(left);
  const b = toNumber(right);
  if (a !== undefined && b !== undefined) return a === b;
  return fold(toText(left), caseSensitive) === fold(right, caseSensitive);
}

/**
 * One comparison (packages/shared ZConditionRule). `left` is a template (`{{message.text}}`); `right` is a template
 * too, except for `regex`, where it is the pattern itself and is never filled in, so a contact's text cannot become
 * part of a pattern. Only a regex can fail (invalid, or over its time budget).
 */
export function evaluateRule(rule: TConditionRule, ctx: FlowRunContext): RuleVerdict {
  const left = resolveTemplate(rule.left, ctx);
  const { caseSensitive } = rule;
  switch (rule.operator) {
    case 'is_empty':
      return { ok: true, matched: isEmptyValue(left) };
    case 'not_empty':
      return { ok: true, matched: !isEmptyValue(left) };
    case 'regex':
      return safeRegexTest(rule.right, toText(left), caseSensitive);
    case 'contains': {
      const right = renderTemplate(rule.right, ctx);
      // A list (tags, a webhook array) contains an element equal to the value; text contains a substring.
      if (Array.isArray(left))
        return { ok: true, matched: left.some((item) => sameValue(item, right, caseSensitive)) };
      return { ok: true, matched: fold(toText(left), caseSensitive).includes(fold(right, caseSensitive)) };
    }
    case 'equals':
      return { ok: true, matched: sameValue(left, renderTemplate(rule.right, ctx), caseSensitive) };
    case 'not_equals':
      return { ok: true, matched: !sameValue(left, renderTemplate(rule.right, ctx), caseSensitive) };
    case 'greater_than':
    case 'less_than': {
      // Only numbers are ordered; text that is not a number makes the rule false rather than compare as strings.
      const a = toNumber(left);
      const b = toNumber(renderTemplate(rule.right, ctx));
      if (a === undefined || b === undefined) return { ok: true, matched: false };
      return { ok: true, matched: rule.operator === 'greater_than' ? a > b : a < b };
    }
  }
}
