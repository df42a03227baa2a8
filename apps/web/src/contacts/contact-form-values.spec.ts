import type { TContact } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { fieldOfPath, toCreateBody, toFormValues, toUpdateBody } from './contact-form-values';

const contact: TContact = {
  id: '3f2b8c1e-4a5d-4e6f-8a7b-9c0d1e2f3a4b',
  phone: '+14155550100',
  name: 'Dana',
  email: 'dana@example.test',
  tags: ['vip', 'lead'],
  customFields: { plan: 'gold', seats: 12 },
  optedIn: true,
  isOnDncList: false,
  avatarUrl: null,
  identities: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('contact form values', () => {
  it('creates with only what was filled in', () => {
    const values = { ...toFormValues(), name: ' Ann ', tags: 'a, b,,a' };
    expect(toCreateBody(values)).toEqual({
      name: 'Ann',
      phone: undefined,
      email: undefined,
      tags: ['a', 'b'],
      customFields: undefined,
      optedIn: false,
      isOnDncList: false,
      defaultCountry: undefined,
    });
  });

  it('clears emptied fields with null and keeps an unedited custom field its type', () => {
    const values = { ...toFormValues(contact), email: '', tags: 'vip' };
    values.customFields = [...values.customFields, { key: 'region', value: 'EU' }, { key: '', value: '' }];
    const body = toUpdateBody(values, contact);
    expect(body.email).toBeNull();
    expect(body.phone).toBe('+14155550100');
    expect(body.tags).toEqual(['vip']);
    expect(body.customFields).toEqual({ plan: 'gold', seats: 12, region: 'EU' });
  });

  it('sends an edited non-text custom field as the text typed', () => {
    const values = toFormValues(contact);
    values.customFields[1] = { key: 'seats', value: '15' };
    expect(toUpdateBody(values, contact).customFields).toEqual({ plan: 'gold', seats: '15' });
  });

  it('finds the field of a client or server issue path', () => {
    expect(fieldOfPath('email')).toBe('email');
    expect(fieldOfPath('body.tags.0')).toBe('tags');
    expect(fieldOfPath('body.customFields')).toBe('customFields');
    expect(fieldOfPath('')).toBeUndefined();
    expect(fieldOfPath('body.identities.0')).toBeUndefined();
  });
});
