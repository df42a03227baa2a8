import { ZCreateChatAgentRequest } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { contractResolver, placeServerErrors, splitIssuePath, topLevelField } from './contract-form';

interface Values {
  name: string;
  handoffKeywords: string[];
}
const fieldOf = topLevelField<Values>(['name', 'handoffKeywords']);

describe('splitIssuePath', () => {
  it('drops the body prefix and turns indexes into numbers', () => {
    expect(splitIssuePath('body.handoffKeywords.0')).toEqual(['handoffKeywords', 0]);
    expect(splitIssuePath('body')).toEqual([]);
    expect(splitIssuePath('name')).toEqual(['name']);
  });
});

describe('topLevelField', () => {
  it('names a known field by the first segment and nothing else', () => {
    expect(fieldOf(['handoffKeywords', 3])).toBe('handoffKeywords');
    expect(fieldOf(['mode'])).toBeNull();
    expect(fieldOf([])).toBeNull();
  });
});

describe('contractResolver', () => {
  const toBody = (v: Values) => ({ name: v.name, handoffKeywords: v.handoffKeywords, maxIterations: 99 });
  const resolver = contractResolver<Values>(ZCreateChatAgentRequest, toBody, fieldOf);
  const run = async (values: Values) =>
    await resolver(values, undefined, { fields: {}, shouldUseNativeValidation: false });

  it('puts the contract issues by their field and the rest on the form', async () => {
    const { errors, values } = await run({ name: '', handoffKeywords: ['ok', ' '] });
    expect(values).toEqual({});
    expect(errors.name?.message).toBeTruthy();
    expect(errors.handoffKeywords?.message).toBeTruthy();
    // maxIterations is not a field of this form: the message names the path.
    expect((errors.root as { contract?: { message?: string } }).contract?.message).toMatch(
      /^maxIterations: /,
    );
  });

  it('passes the values through when the body is valid', async () => {
    const ok = contractResolver<Values>(ZCreateChatAgentRequest, (v) => ({ name: v.name }), fieldOf);
    const result = await ok({ name: 'Sam', handoffKeywords: [] }, undefined, {
      fields: {},
      shouldUseNativeValidation: false,
    });
    expect(result.errors).toEqual({});
    expect(result.values).toEqual({ name: 'Sam', handoffKeywords: [] });
  });
});

describe('placeServerErrors', () => {
  it('places every API issue it can and keeps the message only when one is left over', () => {
    const placed: [string, string][] = [];
    const setError = (name: string, e: { message?: string }) => placed.push([name, e.message ?? '']);
    const all = new ApiError(400, 'Validation failed', [
      { path: 'body.handoffKeywords.1', message: 'too long' },
    ]);
    expect(placeServerErrors<Values>(all, fieldOf, setError)).toBeNull();
    expect(placed).toEqual([['handoffKeywords', 'too long']]);

    const partly = new ApiError(400, 'Validation failed', [
      { path: 'body.name', message: 'taken' },
      { path: 'body.inboxIds.0', message: 'unknown inbox' },
    ]);
    expect(placeServerErrors<Values>(partly, fieldOf, setError)).toBe('Validation failed');
    expect(placeServerErrors<Values>(new ApiError(409, 'Conflict'), fieldOf, setError)).toBe('Conflict');
    expect(placeServerErrors<Values>(new TypeError('fetch failed'), fieldOf, setError)).toMatch(
      /reach the server/,
    );

    // A 409 (a name already taken) goes to the field the form names for it.
    placed.length = 0;
    expect(placeServerErrors<Values>(new ApiError(409, 'Name taken'), fieldOf, setError, 'name')).toBeNull();
    expect(placed).toEqual([['name', 'Name taken']]);
  });
});
