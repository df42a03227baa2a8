import { zodResolver } from '@hookform/resolvers/zod';
import {
  WEBHOOK_EVENT_TYPES,
  ZCreateWebhookEndpointRequest,
  type TWebhookEndpointWithSecret,
} from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormAlert } from '../../auth/auth-layout';
import { applyServerErrors } from '../../auth/form-errors';
import { cardClass, ghostButton, primaryButton } from '../../ui/classes';
import { Field } from '../../ui/field';
import { useCreateEndpoint } from './webhook-queries';

/** URL, description and the events to receive; the signing secret comes back once with the result. */
export function CreateEndpointForm({
  onCreated,
  onCancel,
}: {
  onCreated: (endpoint: TWebhookEndpointWithSecret) => void;
  onCancel: () => void;
}) {
  const create = useCreateEndpoint();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    resolver: zodResolver(ZCreateWebhookEndpointRequest),
    defaultValues: { url: '', description: '', events: [], isActive: true },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      onCreated(await create.mutateAsync({ ...values, description: values.description || undefined }));
    } catch (err) {
      setFormError(applyServerErrors(err, ['url', 'description', 'events'], form.setError));
    }
  });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className={`${cardClass} flex flex-col gap-4 p-4`}
      noValidate
      aria-label="New webhook endpoint"
    >
      <FormAlert message={formError} />
      <Field
        label="URL"
        id="endpoint-url"
        type="url"
        placeholder="https://example.com/orbitdesk-events"
        autoFocus
        error={errors.url?.message}
        {...form.register('url')}
      />
      <Field
        label="Description (optional)"
        id="endpoint-description"
        error={errors.description?.message}
        {...form.register('description')}
      />
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Events</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {WEBHOOK_EVENT_TYPES.map((event) => (
            <label key={event} className="flex items-center gap-2 text-sm">
              <input type="checkbox" value={event} {...form.register('events')} />
              <code className="font-mono text-xs">{event}</code>
            </label>
          ))}
        </div>
        {errors.events && (
          <p className="text-xs text-red-600 dark:text-red-400">
            {errors.events.type === 'too_small' ? 'Choose at least one event' : errors.events.message}
          </p>
        )}
      </fieldset>
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Creating…' : 'Create endpoint'}
        </button>
        <button type="button" className={ghostButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
