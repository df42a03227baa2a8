import { CHANNEL_TYPE_SCHEMAS, type TChannel, type TUpdateChannelRequest } from '@orbitdesk/shared';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormAlert } from '../../auth/auth-layout';
import { applyServerErrors } from '../../auth/form-errors';
import { ghostButton, primaryButton } from '../../ui/classes';
import { Field } from '../../ui/field';
import { ChannelFieldInputs } from './channel-field-inputs';
import { channelFields, initialValues, sameJson, toBody, type FormValues } from './channel-fields';
import { useUpdateChannel } from './channel-queries';
import { channelResolver } from './channel-resolver';

/**
 * Name, active state, config and credentials. Secrets are never sent back: their inputs start empty with the
 * masked value as placeholder, and only those the admin types are sent (the API merges them into the stored
 * ones). The config is sent only when it changed, since a new config makes the provider reconnect.
 */
export function EditChannelForm({ channel, onDone }: { channel: TChannel; onDone: () => void }) {
  const update = useUpdateChannel(channel.id);
  const [formError, setFormError] = useState<string | null>(null);
  const schemas = CHANNEL_TYPE_SCHEMAS[channel.type];
  const fields = useMemo(() => channelFields(channel.type), [channel.type]);
  const names = useMemo(() => ['name', ...fields.map((f) => f.name)], [fields]);
  const schema = z.object({
    name: z.string().trim().min(1, 'is required').max(100),
    config: schemas.config,
    credentials: schemas.credentials.partial(),
  });
  const build = (values: FormValues) => ({ name: values.name, ...toBody(fields, values) });
  const form = useForm<FormValues>({
    resolver: channelResolver(schema, build, names),
    defaultValues: {
      name: channel.name,
      isActive: channel.isActive,
      ...initialValues(fields, channel.config),
    },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    const built = build(values);
    const body: TUpdateChannelRequest = {};
    if (typeof built.name === 'string' && built.name.trim() !== channel.name) body.name = built.name.trim();
    if (values.isActive !== channel.isActive) body.isActive = values.isActive === true;
    const stored = schemas.config.safeParse(channel.config);
    const next = schemas.config.safeParse(built.config);
    if (!stored.success || !next.success || !sameJson(stored.data, next.data)) body.config = built.config;
    if (Object.keys(built.credentials).length > 0) body.credentials = built.credentials;
    if (Object.keys(body).length === 0) return setFormError('Nothing has changed');
    try {
      await update.mutateAsync(body);
      onDone();
    } catch (err) {
      setFormError(applyServerErrors(err, names, form.setError));
    }
  });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="flex flex-col gap-5"
      noValidate
      aria-label="Edit channel"
    >
      <FormAlert message={formError ?? errors.root?.message ?? null} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id="channel-name"
          label="Inbox name"
          error={typeof errors.name?.message === 'string' ? errors.name.message : undefined}
          {...form.register('name')}
        />
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" {...form.register('isActive')} />
          Active (receives and sends messages)
        </label>
      </div>
      <ChannelFieldInputs
        fields={fields}
        register={form.register}
        errors={errors}
        maskedSecrets={channel.credentials}
      />
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className={ghostButton} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
