import {
  AI_DEFAULT_MODELS,
  AI_PROVIDERS,
  ZUpdateAiSettingsRequest,
  type TAiSettings,
} from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormAlert } from '../../auth/auth-layout';
import { LOCAL_PROVIDER_HINT, PROVIDER_LABELS } from '../../ai/ai-labels';
import {
  cardClass,
  ghostButton,
  inputClass,
  primaryButton,
  secondaryButton,
  selectClass,
} from '../../ui/classes';
import { contractResolver, placeServerErrors } from '../../ui/contract-form';
import { Field } from '../../ui/field';
import { fullTime } from '../../ui/format';
import { ErrorState, Spinner } from '../../ui/states';
import { MutationError, SectionHeader } from '../settings-ui';
import { useAiSettings, useSaveAiSettings, useTestAiConnection } from './ai-settings-queries';
import {
  aiSettingsField,
  toAiSettingsBody,
  toAiSettingsForm,
  type AiSettingsFormValues,
} from './ai-settings-values';

const resolver = contractResolver<AiSettingsFormValues>(
  ZUpdateAiSettingsRequest,
  toAiSettingsBody,
  aiSettingsField,
);

function ConnectionTest({ unsaved }: { unsaved: boolean }) {
  const test = useTestAiConnection();
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          className={secondaryButton}
          disabled={test.isPending}
          onClick={() => test.mutate()}
        >
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        {unsaved && (
          <span className="text-xs text-slate-500 dark:text-slate-400">
            Tests the saved settings: save your changes first.
          </span>
        )}
      </div>
      <MutationError error={test.error} />
      {test.data && (
        <p
          role="status"
          data-testid="ai-test-result"
          data-ok={test.data.ok}
          className={`rounded-md px-3 py-2 text-sm ${test.data.ok ? 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200' : 'bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300'}`}
        >
          {test.data.ok ? '✓ ' : '✕ '}
          {test.data.message}
          <span className="opacity-75">
            {' '}
            · {PROVIDER_LABELS[test.data.provider]} · {test.data.model}
          </span>
        </p>
      )}
    </div>
  );
}

function ApiKeyField({
  stored,
  form,
}: {
  stored: string | null;
  form: ReturnType<typeof useForm<AiSettingsFormValues>>;
}) {
  const action = form.watch('keyAction');
  const provider = form.watch('provider');
  const error = form.formState.errors.apiKey?.message;
  const setAction = (next: AiSettingsFormValues['keyAction']) => {
    form.setValue('keyAction', next, { shouldDirty: true });
    form.setValue('apiKey', '', { shouldDirty: true });
    form.clearErrors('apiKey');
  };

  return (
    <fieldset className="flex flex-col gap-1">
      <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">API key</legend>
      {stored && action === 'keep' && (
        <div className="flex flex-wrap items-center gap-2">
          <code
            className="rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm dark:bg-slate-800"
            data-testid="ai-key-stored"
          >
            •••• {stored}
          </code>
          <button type="button" className={secondaryButton} onClick={() => setAction('replace')}>
            Replace
          </button>
          <button type="button" className={ghostButton} onClick={() => setAction('remove')}>
            Remove
          </button>
        </div>
      )}
      {stored && action === 'remove' && (
        <p className="flex flex-wrap items-center gap-2 text-sm text-amber-800 dark:text-amber-200">
          The stored key will be removed when you save.
          <button type="button" className={ghostButton} onClick={() => setAction('keep')}>
            Undo
          </button>
        </p>
      )}
      {action === 'replace' && (
        <div className="flex items-start gap-2">
          <div className="flex-1">
            <label htmlFor="ai-api-key" className="sr-only">
              API key
            </label>
            <input
              id="ai-api-key"
              type="password"
              autoComplete="off"
              placeholder={stored ? 'The new key' : provider === 'local' ? 'Not needed' : 'Paste the key'}
              className={inputClass}
              aria-invalid={error ? true : undefined}
              aria-describedby="ai-api-key-hint"
              {...form.register('apiKey')}
            />
          </div>
          {stored && (
            <button type="button" className={ghostButton} onClick={() => setAction('keep')}>
              Keep the stored key
            </button>
          )}
        </div>
      )}
      <p id="ai-api-key-hint" className="text-xs text-slate-500 dark:text-slate-400">
        {provider === 'local'
          ? 'The local provider needs no key.'
          : 'Stored encrypted; only its last four characters are ever shown again.'}
      </p>
      {error && (
        <p className="text-xs text-red-600 dark:text-red-400" data-testid="apiKey-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function AiSettingsForm({ settings }: { settings: TAiSettings }) {
  const save = useSaveAiSettings();
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const form = useForm<AiSettingsFormValues>({ resolver, defaultValues: toAiSettingsForm(settings) });
  const { errors, isSubmitting, isDirty } = form.formState;
  const provider = form.watch('provider');

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    setSaved(false);
    try {
      const next = await save.mutateAsync(toAiSettingsBody(values));
      form.reset(toAiSettingsForm(next));
      setSaved(true);
    } catch (err) {
      setFormError(placeServerErrors(err, aiSettingsField, form.setError));
    }
  });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className={`${cardClass} flex flex-col gap-5 p-4`}
      noValidate
      aria-label="AI settings"
    >
      <FormAlert message={formError ?? errors.root?.contract?.message ?? null} />
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1">
          <label htmlFor="ai-provider" className="text-sm font-medium text-slate-700 dark:text-slate-300">
            Provider
          </label>
          <select id="ai-provider" className={selectClass} {...form.register('provider')}>
            {AI_PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_LABELS[p]}
              </option>
            ))}
          </select>
          {provider === 'local' && (
            <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="local-provider-hint">
              {LOCAL_PROVIDER_HINT}
            </p>
          )}
        </div>
        <Field
          label="Model"
          id="ai-model"
          placeholder={AI_DEFAULT_MODELS[provider]}
          error={errors.model?.message}
          {...form.register('model')}
        />
      </div>
      <ApiKeyField stored={settings.apiKeyLast4} form={form} />
      <details className="text-sm" open={Boolean(settings.baseUrl)}>
        <summary className="cursor-pointer font-medium text-slate-700 dark:text-slate-300">Advanced</summary>
        <div className="mt-3">
          <Field
            label="Base URL"
            id="ai-base-url"
            type="url"
            placeholder="The provider's own address"
            error={errors.baseUrl?.message}
            {...form.register('baseUrl')}
          />
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            For a self-hosted gateway or proxy that speaks the provider&apos;s API. Leave empty otherwise.
          </p>
        </div>
      </details>
      <label className="flex items-start gap-3 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 size-4 accent-brand-600"
          {...form.register('understandingEnabled')}
        />
        <span>
          <span className="font-medium">Understand inbound messages</span>
          <span className="block text-xs text-slate-500 dark:text-slate-400">
            Tags every message customers send with its intent, sentiment and language, shown in the inbox and
            the dashboard.
          </span>
        </span>
      </label>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Save'}
        </button>
        {saved && !isDirty && (
          <span role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
            Saved
          </span>
        )}
        {settings.updatedAt && (
          <span className="text-xs text-slate-500 dark:text-slate-400">
            Last changed {fullTime(settings.updatedAt)}
          </span>
        )}
      </div>
      <ConnectionTest unsaved={isDirty} />
    </form>
  );
}

/** The workspace's AI provider, model and key, and whether inbound messages are classified. */
export function AiSettingsPage() {
  const settings = useAiSettings();
  return (
    <section className="flex flex-col gap-4" aria-label="AI">
      <SectionHeader title="AI" />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        The provider your chat agents and message understanding use, unless an agent names its own.
      </p>
      {settings.isPending ? (
        <Spinner label="Loading AI settings" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <AiSettingsForm settings={settings.data} />
      )}
    </section>
  );
}
