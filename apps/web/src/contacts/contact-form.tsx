import {
  ZCreateContactRequest,
  ZUpdateContactRequest,
  type TContact,
  type TCreateContactRequest,
  type TUpdateContactRequest,
} from '@orbitdesk/shared';
import { useState } from 'react';
import { useFieldArray, useForm, type FieldErrors, type Resolver } from 'react-hook-form';
import { ApiError } from '../api/client';
import { FormAlert } from '../auth/auth-layout';
import { ghostButton, inputClass, primaryButton, secondaryButton } from '../ui/classes';
import { Field } from '../ui/field';
import {
  fieldOfPath,
  toCreateBody,
  toFormValues,
  toUpdateBody,
  type ContactField,
  type ContactFormValues,
} from './contact-form-values';

/** With `contact` the form edits it (PATCH body); without, it creates one (POST body). */
type Props = { onCancel: () => void } & (
  | { contact?: undefined; onSubmit: (body: TCreateContactRequest) => Promise<unknown> }
  | { contact: TContact; onSubmit: (body: TUpdateContactRequest) => Promise<unknown> }
);

type Issue = { path: string; message: string };

/** Spreads issues over the form's fields; returns what belongs to no field. */
function placeIssues(issues: Issue[], put: (field: ContactField, message: string) => void): string[] {
  const rest: string[] = [];
  for (const issue of issues) {
    const field = fieldOfPath(issue.path);
    if (field) put(field, issue.message);
    else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return rest;
}

/**
 * Validates the request the form would send with the shared contract (ZCreateContactRequest or
 * ZUpdateContactRequest), so the browser and the API reject the same things with the same words.
 */
function contractResolver(contact: TContact | undefined): Resolver<ContactFormValues> {
  return (values) => {
    const parsed = contact
      ? ZUpdateContactRequest.safeParse(toUpdateBody(values, contact))
      : ZCreateContactRequest.safeParse(toCreateBody(values));
    if (parsed.success) return { values, errors: {} };
    const errors: FieldErrors<ContactFormValues> = {};
    const rest = placeIssues(
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      (field, message) => {
        errors[field] ??= { type: 'validate', message };
      },
    );
    if (rest.length) errors.root = { contract: { type: 'validate', message: rest.join('; ') } };
    return { values: {}, errors };
  };
}

/** Create or edit a contact: core fields, tags, consent flags and free-form custom fields. */
export function ContactForm(props: Props) {
  const { contact, onCancel } = props;
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<ContactFormValues>({
    resolver: contractResolver(contact),
    defaultValues: toFormValues(contact),
  });
  const customFields = useFieldArray({ control: form.control, name: 'customFields' });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      if (props.contact) await props.onSubmit(toUpdateBody(values, props.contact));
      else await props.onSubmit(toCreateBody(values));
    } catch (err) {
      if (!(err instanceof ApiError)) {
        setFormError('Could not reach the server; check your connection');
        return;
      }
      const rest = placeIssues(err.issues, (field, message) =>
        form.setError(field, { type: 'server', message }),
      );
      setFormError(err.issues.length && !rest.length ? null : err.message);
    }
  });

  return (
    <form
      onSubmit={(e) => void submit(e)}
      className="flex flex-col gap-4"
      noValidate
      data-testid="contact-form"
    >
      <FormAlert message={formError ?? errors.root?.contract?.message ?? null} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" autoFocus error={errors.name?.message} {...form.register('name')} />
        <Field label="Email" type="email" error={errors.email?.message} {...form.register('email')} />
        <Field
          label="Phone"
          type="tel"
          placeholder="+14155550100"
          error={errors.phone?.message}
          {...form.register('phone')}
        />
        <Field
          label="Country for numbers without +"
          placeholder="US"
          maxLength={2}
          error={errors.defaultCountry?.message}
          {...form.register('defaultCountry')}
        />
      </div>
      <Field
        label="Tags (comma separated)"
        placeholder="vip, lead"
        error={errors.tags?.message}
        {...form.register('tags')}
      />
      <div className="flex flex-wrap gap-6 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" className="size-4 accent-brand-600" {...form.register('optedIn')} />
          Opted in to messages
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" className="size-4 accent-brand-600" {...form.register('isOnDncList')} />
          On the do-not-contact list
        </label>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Custom fields</legend>
        {customFields.fields.map((row, index) => (
          <div key={row.id} className="flex gap-2">
            <input
              aria-label={`Custom field ${index + 1} name`}
              placeholder="Name"
              className={inputClass}
              {...form.register(`customFields.${index}.key`)}
            />
            <input
              aria-label={`Custom field ${index + 1} value`}
              placeholder="Value"
              className={inputClass}
              {...form.register(`customFields.${index}.value`)}
            />
            <button
              type="button"
              className={ghostButton}
              aria-label={`Remove custom field ${index + 1}`}
              onClick={() => customFields.remove(index)}
            >
              ✕
            </button>
          </div>
        ))}
        {errors.customFields?.message && (
          <p className="text-xs text-red-600 dark:text-red-400" data-testid="customFields-error">
            {errors.customFields.message}
          </p>
        )}
        <button
          type="button"
          className={`${ghostButton} self-start`}
          onClick={() => customFields.append({ key: '', value: '' })}
        >
          + Add a field
        </button>
      </fieldset>
      <div className="flex justify-end gap-2">
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : contact ? 'Save contact' : 'Create contact'}
        </button>
      </div>
    </form>
  );
}
