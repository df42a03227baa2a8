import {
  ZCreateKnowledgeBaseRequest,
  ZUpdateKnowledgeBaseRequest,
  type TKnowledgeBase,
} from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { FormAlert } from '../auth/auth-layout';
import { useCurrentUser } from '../auth/use-session';
import { DataTable, tdClass } from '../settings/settings-ui';
import { cardClass, ghostButton, inputClass, primaryButton } from '../ui/classes';
import { contractResolver, placeServerErrors, topLevelField } from '../ui/contract-form';
import { Field } from '../ui/field';
import { shortTime, fullTime } from '../ui/format';
import { EmptyState, QueryStates } from '../ui/states';
import { useCreateKnowledgeBase, useKnowledgeBases } from './knowledge-queries';

export interface KnowledgeBaseFormValues {
  name: string;
  description: string;
}
export const knowledgeBaseField = topLevelField<KnowledgeBaseFormValues>(['name', 'description']);
export const toKnowledgeBaseBody = (v: KnowledgeBaseFormValues) => ({
  name: v.name.trim(),
  description: v.description.trim() || null,
});

/** Name and description of a base: creates one, or (with `base`) edits it. */
export function KnowledgeBaseForm({
  base,
  onSubmit,
  onCancel,
}: {
  base?: TKnowledgeBase;
  onSubmit: (body: ReturnType<typeof toKnowledgeBaseBody>) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<KnowledgeBaseFormValues>({
    resolver: contractResolver(
      base ? ZUpdateKnowledgeBaseRequest : ZCreateKnowledgeBaseRequest,
      toKnowledgeBaseBody,
      knowledgeBaseField,
    ),
    defaultValues: { name: base?.name ?? '', description: base?.description ?? '' },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit(toKnowledgeBaseBody(values));
    } catch (err) {
      setFormError(placeServerErrors(err, knowledgeBaseField, form.setError, 'name'));
    }
  });
  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      className={`${cardClass} flex flex-col gap-4 p-4`}
      aria-label={base ? 'Edit knowledge base' : 'New knowledge base'}
    >
      <FormAlert message={formError ?? errors.root?.contract?.message ?? null} />
      <Field label="Name" id="kb-name" autoFocus error={errors.name?.message} {...form.register('name')} />
      <div className="flex flex-col gap-1">
        <label htmlFor="kb-description" className="text-sm font-medium text-slate-700 dark:text-slate-300">
          Description <span className="font-normal text-slate-400">(optional)</span>
        </label>
        <textarea id="kb-description" rows={2} className={inputClass} {...form.register('description')} />
        {errors.description && (
          <p className="text-xs text-red-600 dark:text-red-400">{errors.description.message}</p>
        )}
      </div>
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : base ? 'Save' : 'Create knowledge base'}
        </button>
        <button type="button" className={ghostButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** /knowledge: the workspace's knowledge bases; admins create them here. */
export function KnowledgeBasesPage() {
  const me = useCurrentUser();
  const isAdmin = me.role === 'ADMIN';
  const bases = useKnowledgeBases();
  const create = useCreateKnowledgeBase();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Knowledge</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Documents, pages and notes your AI agents answer from.
          </p>
        </div>
        {isAdmin && !creating && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            New knowledge base
          </button>
        )}
      </div>
      {creating && (
        <KnowledgeBaseForm
          onCancel={() => setCreating(false)}
          onSubmit={async (body) => {
            const base = await create.mutateAsync(body);
            await navigate(`/knowledge/${base.id}`);
          }}
        />
      )}
      <div className={cardClass}>
        <QueryStates
          query={bases}
          loadingLabel="Loading knowledge bases"
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState title="No knowledge bases yet">
              <p>
                {isAdmin
                  ? 'Create one and add your FAQ, help pages or product sheets.'
                  : 'An admin of your workspace can create one.'}
              </p>
            </EmptyState>
          }
        >
          {(data) => (
            <DataTable
              columns={[
                'Name',
                { label: 'Sources', numeric: true },
                { label: 'Chunks', numeric: true },
                'Embedding model',
                'Updated',
              ]}
            >
              {data.map((b) => (
                <tr key={b.id} data-testid="kb-row">
                  <td className={tdClass}>
                    <Link
                      to={`/knowledge/${b.id}`}
                      className="font-medium text-brand-600 hover:underline dark:text-brand-500"
                    >
                      {b.name}
                    </Link>
                    {b.description && (
                      <p className="line-clamp-1 text-xs text-slate-500 dark:text-slate-400">
                        {b.description}
                      </p>
                    )}
                  </td>
                  <td className={`${tdClass} text-right tabular-nums`}>{b.sourceCount}</td>
                  <td className={`${tdClass} text-right tabular-nums`}>{b.chunkCount}</td>
                  <td className={`${tdClass} font-mono text-xs`}>{b.embeddingModel}</td>
                  <td className={`${tdClass} text-slate-500`} title={fullTime(b.updatedAt)}>
                    {shortTime(b.updatedAt)}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryStates>
      </div>
    </div>
  );
}
