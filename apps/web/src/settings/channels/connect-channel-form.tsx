import {
  CHANNEL_TYPES,
  ZCreateChannelRequest,
  type ChannelType,
  type TCreateChannelRequest,
} from '@orbitdesk/shared';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { FormAlert } from '../../auth/auth-layout';
import { applyServerErrors } from '../../auth/form-errors';
import { cardClass, ghostButton, primaryButton, selectClass } from '../../ui/classes';
import { Field } from '../../ui/field';
import { ChannelFieldInputs } from './channel-field-inputs';
import { channelFields, initialValues, toBody, type ChannelField, type FormValues } from './channel-fields';
import { CHANNEL_LABELS } from './channel-labels';
import { useCreateChannel } from './channel-queries';
import { channelResolver } from './channel-resolver';

function ConnectForm({ type, onCancel }: { type: ChannelType; onCancel: () => void }) {
  const navigate = useNavigate();
  const create = useCreateChannel();
  const [formError, setFormError] = useState<string | null>(null);
  const fields: ChannelField[] = useMemo(() => channelFields(type), [type]);
  const names = useMemo(() => ['name', ...fields.map((f) => f.name)], [fields]);
  const build = (values: FormValues) => ({ type, name: values.name, ...toBody(fields, values) });
  const form = useForm<FormValues>({
    resolver: channelResolver(ZCreateChannelRequest, build, names),
    defaultValues: { name: '', ...initialValues(fields) },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      // The shared schema accepted this shape in the resolver.
      const channel = await create.mutateAsync(build(values) as TCreateChannelRequest);
      await navigate(`/settings/channels/${channel.id}`, { state: { secret: channel.secret } });
    } catch (err) {
      setFormError(applyServerErrors(err, names, form.setError));
    }
  });

  return (
    <form onSubmit={(e) => void onSubmit(e)} className="flex flex-col gap-5" noValidate>
      <FormAlert message={formError ?? errors.root?.message ?? null} />
      <Field
        id="channel-name"
        label="Inbox name"
        placeholder={CHANNEL_LABELS[type]}
        error={typeof errors.name?.message === 'string' ? errors.name.message : undefined}
        {...form.register('name')}
      />
      <ChannelFieldInputs fields={fields} register={form.register} errors={errors} />
      {type === 'whatsapp_qr' && (
        <p className="text-sm text-slate-500">
          Nothing to enter: scan the QR code shown after the inbox is created.
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Connecting…' : 'Connect'}
        </button>
        <button type="button" className={ghostButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Pick a channel type, then fill in the fields its shared schema asks for. */
export function ConnectChannelForm({ onCancel }: { onCancel: () => void }) {
  const [type, setType] = useState<ChannelType>('api');
  return (
    <section className={`${cardClass} flex flex-col gap-5 p-4`} aria-label="Connect a channel">
      <div className="flex flex-col gap-1 sm:w-72">
        <label htmlFor="channel-type" className="text-sm font-medium text-slate-700 dark:text-slate-300">
          Channel type
        </label>
        <select
          id="channel-type"
          className={selectClass}
          value={type}
          onChange={(e) => setType(e.target.value as ChannelType)}
        >
          {CHANNEL_TYPES.map((t) => (
            <option key={t} value={t}>
              {CHANNEL_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      {/* A new form per type: its fields and defaults come from that type's schema. */}
      <ConnectForm key={type} type={type} onCancel={onCancel} />
    </section>
  );
}
