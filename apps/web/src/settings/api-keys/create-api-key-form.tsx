import { zodResolver } from '@hookform/resolvers/zod';
import { API_KEY_SCOPES, ZCreateApiKeyRequest, type TCreateApiKeyResponse } from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormAlert } from '../../auth/auth-layout';
import { applyServerErrors } from '../../auth/form-errors';
import { cardClass, ghostButton, primaryButton } from '../../ui/classes';
import { Field } from '../../ui/field';
import { useCreateApiKey } from './api-key-queries';

/** Name, scopes and an optional expiry; hands the created key (with its raw value) back to the page. */
export function CreateApiKeyForm({
  onCreated,
  onCancel,
}: {
  onCreated: (key: TCreateApiKeyResponse) => void;
  onCancel: () => void;
}) {
  const create = useCreateApiKey();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    resolver: zodResolver(ZCreateApiKeyRequest),
    defaultValues: { name: '', scopes: [], expiresAt: undefined },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      onCreated(await create.mutateAsync(values));
    } catch (err) {
      setFormError(applyServerErrors(err, ['name', 'scopes', 'expiresAt'], form.setError));
    }
  });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className={`${cardClass} flex flex-col gap-4 p-4`}
      noValidate
      aria-label="New API key"
    >
      <FormAlert message={formError} />
      <Field
        label="Name"
        id="api-key-name"
        error={errors.name?.message}
        autoFocus
        {...form.register('name')}
      />
      <fieldset className="flex flex-col gap-2" aria-describedby="api-key-scopes-error">
        <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Scopes</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {API_KEY_SCOPES.map((scope) => (
            <label key={scope} className="flex items-center gap-2 text-sm">
              <input type="checkbox" value={scope} {...form.register('scopes')} />
              <code className="font-mono text-xs">{scope}</code>
            </label>
          ))}
        </div>
        {errors.scopes && (
          <p id="api-key-scopes-error" className="text-xs text-red-600 dark:text-red-400">
            {errors.scopes.type === 'too_small' ? 'Choose at least one scope' : errors.scopes.message}
          </p>
        )}
      </fieldset>
      <Field
        label="Expires (optional)"
        id="api-key-expires"
        type="datetime-local"
        error={errors.expiresAt?.message}
        {...form.register('expiresAt', {
          // The input gives local time without a zone; the API wants an ISO date with one.
          setValueAs: (v: string) => (v ? new Date(v).toISOString() : undefined),
        })}
      />
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Creating…' : 'Create key'}
        </button>
        <button type="button" className={ghostButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
