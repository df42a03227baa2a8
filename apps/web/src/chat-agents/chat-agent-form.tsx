import {
  AI_AGENT_MODES,
  AI_AGENT_TOOLS,
  AI_DEFAULT_MODELS,
  AI_PROVIDERS,
  ZCreateChatAgentRequest,
  ZUpdateChatAgentRequest,
  type TChatAgent,
} from '@orbitdesk/shared';
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { FormAlert } from '../auth/auth-layout';
import { MODE_DESCRIPTIONS, MODE_LABELS, PROVIDER_LABELS, TOOL_DESCRIPTIONS } from '../ai/ai-labels';
import { useChannels } from '../inbox/queries';
import { useKnowledgeBases } from '../knowledge/knowledge-queries';
import { useAiSettings } from '../settings/ai/ai-settings-queries';
import { CheckboxList } from '../ui/checkbox-list';
import { ChipsInput } from '../ui/chips-input';
import { inputClass, primaryButton, secondaryButton, selectClass } from '../ui/classes';
import { contractResolver, placeServerErrors } from '../ui/contract-form';
import { Field } from '../ui/field';
import { plural } from '../ui/format';
import {
  chatAgentField,
  inboxOwners,
  toChatAgentBody,
  toChatAgentForm,
  type ChatAgentFormValues,
} from './chat-agent-form-values';
import { useChatAgents } from './chat-agent-queries';

const labelClass = 'text-sm font-medium text-slate-700 dark:text-slate-300';
const hintClass = 'text-xs text-slate-500 dark:text-slate-400';
const errorClass = 'text-xs text-red-600 dark:text-red-400';

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} className={errorClass} data-testid={`${id}-error`}>
      {message}
    </p>
  );
}

/**
 * Everything an agent is, validated with the shared contract before it is sent; the API's issues land by
 * their field. `readOnly` shows the same form disabled (agents may look, admins change).
 */
export function ChatAgentForm({
  agent,
  readOnly,
  onSubmit,
  onCancel,
}: {
  agent?: TChatAgent;
  readOnly: boolean;
  onSubmit: (body: ReturnType<typeof toChatAgentBody>) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const resolver = useMemo(
    () =>
      contractResolver<ChatAgentFormValues>(
        agent ? ZUpdateChatAgentRequest : ZCreateChatAgentRequest,
        toChatAgentBody,
        chatAgentField,
      ),
    [agent],
  );
  const form = useForm<ChatAgentFormValues>({ resolver, defaultValues: toChatAgentForm(agent) });
  const { errors, isSubmitting, isDirty } = form.formState;
  const mode = form.watch('mode');
  const provider = form.watch('provider');
  const chosenInboxes = form.watch('inboxIds');

  const channels = useChannels();
  const bases = useKnowledgeBases();
  const agents = useChatAgents();
  const settings = useAiSettings();
  const owners = inboxOwners(agents.data ?? [], agent?.id);
  const workspaceDefault = settings.data ? `Workspace default (${settings.data.model})` : 'Workspace default';

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    setSaved(false);
    try {
      await onSubmit(toChatAgentBody(values));
      form.reset(values);
      setSaved(true);
    } catch (err) {
      setFormError(placeServerErrors(err, chatAgentField, form.setError, 'name'));
    }
  });

  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={agent ? `Edit ${agent.name}` : 'New AI agent'}
      data-testid="chat-agent-form"
    >
      <fieldset disabled={readOnly || isSubmitting} className="flex flex-col gap-5">
        <FormAlert message={formError ?? errors.root?.contract?.message ?? null} />
        <Field
          label="Name"
          id="agent-name"
          autoFocus={!agent}
          error={errors.name?.message}
          {...form.register('name')}
        />
        <div className="flex flex-col gap-1">
          <label htmlFor="agent-description" className={labelClass}>
            Description <span className="font-normal text-slate-400">(optional)</span>
          </label>
          <textarea
            id="agent-description"
            rows={2}
            className={inputClass}
            aria-invalid={errors.description ? true : undefined}
            {...form.register('description')}
          />
          <FieldError id="agent-description" message={errors.description?.message} />
        </div>

        <fieldset className="flex flex-col gap-2">
          <legend className={`${labelClass} mb-1`}>Mode</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {AI_AGENT_MODES.map((m) => (
              <label
                key={m}
                className={`flex cursor-pointer gap-2 rounded-lg border p-3 text-sm ${mode === m ? 'border-brand-500 bg-brand-50 dark:border-brand-500 dark:bg-slate-800' : 'border-slate-200 dark:border-slate-700'}`}
              >
                <input
                  type="radio"
                  value={m}
                  className="mt-0.5 accent-brand-600"
                  {...form.register('mode')}
                />
                <span>
                  <span className="font-medium">{MODE_LABELS[m]}</span>
                  <span className={`block ${hintClass}`}>{MODE_DESCRIPTIONS[m]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <div className="grid gap-4 sm:grid-cols-2">
          <div className="flex flex-col gap-1">
            <label htmlFor="agent-provider" className={labelClass}>
              Provider
            </label>
            <select id="agent-provider" className={selectClass} {...form.register('provider')}>
              <option value="">{workspaceDefault}</option>
              {AI_PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABELS[p]}
                </option>
              ))}
            </select>
            <FieldError id="agent-provider" message={errors.provider?.message} />
          </div>
          <Field
            label="Model"
            id="agent-model"
            disabled={!provider}
            placeholder={provider ? AI_DEFAULT_MODELS[provider] : 'As in the workspace settings'}
            error={errors.model?.message}
            {...form.register('model')}
          />
        </div>
        {provider && provider !== settings.data?.provider && provider !== 'local' && (
          <p className={hintClass}>
            The workspace&apos;s stored API key belongs to its own provider; this provider must accept calls
            without it (a gateway) or the agent will fall back to its polite failure message.
          </p>
        )}

        <div className="flex flex-col gap-1">
          <label htmlFor="agent-system-prompt" className={labelClass}>
            System prompt
          </label>
          <textarea
            id="agent-system-prompt"
            rows={6}
            className={`${inputClass} font-mono text-xs`}
            placeholder="You are the support assistant of Acme. Answer briefly and kindly…"
            aria-invalid={errors.systemPrompt ? true : undefined}
            {...form.register('systemPrompt')}
          />
          <FieldError id="agent-system-prompt" message={errors.systemPrompt?.message} />
        </div>

        {mode === 'tools' && (
          <div className="flex flex-col gap-4 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
            <Controller
              control={form.control}
              name="tools"
              render={({ field }) => (
                <CheckboxList
                  legend="Tools"
                  testId="agent-tools"
                  options={AI_AGENT_TOOLS.map((t) => ({
                    value: t,
                    label: TOOL_DESCRIPTIONS[t].label,
                    hint: TOOL_DESCRIPTIONS[t].description,
                  }))}
                  value={field.value}
                  onChange={field.onChange}
                  error={errors.tools?.message}
                />
              )}
            />
            <p className={hintClass}>Handing off to a human is always available.</p>
            <div className="flex max-w-48 flex-col gap-1">
              <Field
                label="Max iterations"
                id="agent-max-iterations"
                type="number"
                min={1}
                max={20}
                error={errors.maxIterations?.message}
                {...form.register('maxIterations', { valueAsNumber: true })}
              />
              <p className={hintClass}>Tool steps before the agent gives a fallback answer (1–20).</p>
            </div>
          </div>
        )}

        <Controller
          control={form.control}
          name="handoffKeywords"
          render={({ field }) => (
            <ChipsInput
              id="agent-handoff-keywords"
              label="Handoff keywords"
              placeholder="Type a word and press Enter"
              value={field.value}
              onChange={field.onChange}
              error={errors.handoffKeywords?.message}
              disabled={readOnly}
            />
          )}
        />
        <p className={`-mt-4 ${hintClass}`}>A customer message containing one of these goes to a human.</p>

        <Controller
          control={form.control}
          name="knowledgeBaseIds"
          render={({ field }) => (
            <CheckboxList
              legend="Knowledge bases"
              testId="agent-knowledge-bases"
              options={(bases.data ?? []).map((b) => ({
                value: b.id,
                label: b.name,
                hint: `${plural(b.sourceCount, 'source')} · ${plural(b.chunkCount, 'chunk')}`,
              }))}
              value={field.value}
              onChange={field.onChange}
              error={errors.knowledgeBaseIds?.message}
              empty={
                bases.isPending ? (
                  'Loading…'
                ) : (
                  <>
                    No knowledge bases yet.{' '}
                    <Link to="/knowledge" className="text-brand-600 hover:underline dark:text-brand-500">
                      Create one
                    </Link>
                  </>
                )
              }
            />
          )}
        />

        <Controller
          control={form.control}
          name="inboxIds"
          render={({ field }) => (
            <CheckboxList
              legend="Inboxes it answers"
              testId="agent-inboxes"
              options={(channels.data ?? []).map((c) => {
                const owner = owners.get(c.id);
                return {
                  value: c.id,
                  label: c.name,
                  hint: owner ? (
                    <span className="text-amber-700 dark:text-amber-300" data-testid="inbox-owner-warning">
                      {chosenInboxes.includes(c.id)
                        ? `Moves from ${owner} to this agent when saved`
                        : `Answered by ${owner}`}
                    </span>
                  ) : undefined,
                };
              })}
              value={field.value}
              onChange={field.onChange}
              error={errors.inboxIds?.message}
              empty={channels.isPending ? 'Loading…' : 'No inboxes yet: connect a channel in Settings.'}
            />
          )}
        />

        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="size-4 accent-brand-600" {...form.register('enabled')} />
          Enabled: answers new messages in its inboxes
        </label>

        {!readOnly && (
          <div className="flex flex-wrap items-center gap-2">
            <button type="submit" className={primaryButton} disabled={isSubmitting}>
              {isSubmitting ? 'Saving…' : agent ? 'Save agent' : 'Create agent'}
            </button>
            <button type="button" className={secondaryButton} onClick={onCancel}>
              {agent ? 'Back' : 'Cancel'}
            </button>
            {saved && !isDirty && (
              <span role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
                Saved
              </span>
            )}
          </div>
        )}
      </fieldset>
    </form>
  );
}
