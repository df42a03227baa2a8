import type { FlowRunContext } from '../engine/node-handler.js';
import { getPath, isPlainObject, splitPath } from './util/path.js';
import { toText } from './util/text.js';

/**
 * `{{...}}` placeholders in node settings. A placeholder names a path into a fixed scope (contact, message, vars,
 * webhook); the value found there is inserted as text in one pass, so a value that itself contains `{{...}}` is
 * never expanded again, and nothing is ever evaluated as code.
 */

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\s*\{\{\s*([^{}]*?)\s*\}\}\s*$/;

/** Nested objects deeper than this in a JSON body are left as they are: no legitimate body needs more. */
const MAX_RENDER_DEPTH = 32;

function scopeOf(ctx: FlowRunContext): Record<string, unknown> {
  const webhook = ctx.webhook && {
    ...ctx.webhook,
    // HTTP header names are case-insensitive; lower-case them so {{webhook.headers.X-Id}} finds x-id.
    headers: Object.fromEntries(Object.entries(ctx.webhook.headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return { contact: ctx.contact, message: ctx.message, vars: ctx.vars, webhook };
}

function lookup(scope: Record<string, unknown>, expression: string): unknown {
  const segments = splitPath(expression);
  if (!segments) return undefined;
  if (segments[0] === 'webhook' && segments[1] === 'headers' && segments[2] !== undefined) {
    segments[2] = segments[2].toLowerCase();
  }
  return getPath(scope, segments);
}

/**
 * Replaces each `{{path}}` with the value's text; unknown or missing paths become the empty string. `escape`
 * applies to the inserted values only (HTML-escaping them for an HTML email), never to the template's own text.
 */
export function renderTemplate(
  template: string,
  ctx: FlowRunContext,
  escape: (text: string) => string = (text) => text,
): string {
  const scope = scopeOf(ctx);
  return template.replace(PLACEHOLDER, (_match, expression: string) =>
    escape(toText(lookup(scope, expression))),
  );
}

/**
 * The raw value when `template` is exactly one placeholder (`{{vars.list}}` gives the array itself), otherwise
 * the rendered text. For settings that need a value, not a string: a Loop's items, a JSON variable.
 */
export function resolveTemplate(template: string, ctx: FlowRunContext): unknown {
  const whole = WHOLE_PLACEHOLDER.exec(template);
  return whole ? lookup(scopeOf(ctx), whole[1]!) : renderTemplate(template, ctx);
}

/** Renders every string inside a JSON value (an HTTP body, a row of cells); keys and non-strings are kept. */
export function renderValue(value: unknown, ctx: FlowRunContext, depth = 0): unknown {
  if (typeof value === 'string') return renderTemplate(value, ctx);
  if (depth >= MAX_RENDER_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => renderValue(item, ctx, depth + 1));
  if (isPlainObject(value)) {
    // fromEntries defines own properties, so a "__proto__" key stays a plain key and never sets a prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, ctx, depth + 1)]));
  }
  return value;
}
