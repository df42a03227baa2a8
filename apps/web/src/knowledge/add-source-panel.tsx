import { KNOWLEDGE_MAX_FILE_BYTES, ZCreateKnowledgeSourceRequest } from '@orbitdesk/shared';
import { useRef, useState, type DragEvent } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../api/client';
import { FormAlert } from '../auth/auth-layout';
import { cardClass, inputClass, primaryButton, secondaryButton } from '../ui/classes';
import { contractResolver, placeServerErrors, topLevelField } from '../ui/contract-form';
import { Field } from '../ui/field';
import { useAddKnowledgeSource, useUploadKnowledgeFile } from './knowledge-queries';
import { checkKnowledgeFile, formatBytes, KNOWLEDGE_ACCEPT } from './source-files';

type Tab = 'text' | 'url' | 'file';
const TABS: { id: Tab; label: string }[] = [
  { id: 'text', label: 'Paste text' },
  { id: 'url', label: 'Web page' },
  { id: 'file', label: 'Upload files' },
];

interface TextValues {
  name: string;
  text: string;
}
const textField = topLevelField<TextValues>(['name', 'text']);
const toTextBody = (v: TextValues) => ({ type: 'TEXT' as const, name: v.name.trim(), text: v.text });

function TextSourceForm({ baseId }: { baseId: string }) {
  const add = useAddKnowledgeSource(baseId);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<TextValues>({
    resolver: contractResolver(ZCreateKnowledgeSourceRequest, toTextBody, textField),
    defaultValues: { name: '', text: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await add.mutateAsync(toTextBody(values));
      form.reset();
    } catch (err) {
      setFormError(placeServerErrors(err, textField, form.setError));
    }
  });
  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="flex flex-col gap-3" aria-label="Paste text">
      <FormAlert message={formError ?? errors.root?.contract?.message ?? null} />
      <Field label="Title" id="source-title" error={errors.name?.message} {...form.register('name')} />
      <div className="flex flex-col gap-1">
        <label htmlFor="source-text" className="text-sm font-medium text-slate-700 dark:text-slate-300">
          Text
        </label>
        <textarea
          id="source-text"
          rows={8}
          className={inputClass}
          placeholder="Paste an FAQ, a policy, product details…"
          aria-invalid={errors.text ? true : undefined}
          {...form.register('text')}
        />
        {errors.text && (
          <p className="text-xs text-red-600 dark:text-red-400" data-testid="source-text-error">
            {errors.text.message}
          </p>
        )}
      </div>
      <button type="submit" className={`${primaryButton} self-start`} disabled={isSubmitting}>
        {isSubmitting ? 'Adding…' : 'Add text'}
      </button>
    </form>
  );
}

interface UrlValues {
  url: string;
  name: string;
}
const urlField = topLevelField<UrlValues>(['url', 'name']);
const toUrlBody = (v: UrlValues) => ({
  type: 'URL' as const,
  url: v.url.trim(),
  ...(v.name.trim() ? { name: v.name.trim() } : {}),
});

function UrlSourceForm({ baseId }: { baseId: string }) {
  const add = useAddKnowledgeSource(baseId);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<UrlValues>({
    resolver: contractResolver(ZCreateKnowledgeSourceRequest, toUrlBody, urlField),
    defaultValues: { url: '', name: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await add.mutateAsync(toUrlBody(values));
      form.reset();
    } catch (err) {
      setFormError(placeServerErrors(err, urlField, form.setError));
    }
  });
  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="flex flex-col gap-3" aria-label="Web page">
      <FormAlert message={formError ?? errors.root?.contract?.message ?? null} />
      <Field
        label="Page address"
        id="source-url"
        type="url"
        placeholder="https://example.com/help/shipping"
        error={errors.url?.message}
        {...form.register('url')}
      />
      <Field
        label="Name (optional)"
        id="source-url-name"
        placeholder="The page's title is used otherwise"
        error={errors.name?.message}
        {...form.register('name')}
      />
      <p className="text-xs text-slate-500 dark:text-slate-400">
        The page is fetched once; re-index it to pick up changes.
      </p>
      <button type="submit" className={`${primaryButton} self-start`} disabled={isSubmitting}>
        {isSubmitting ? 'Adding…' : 'Add page'}
      </button>
    </form>
  );
}

interface Upload {
  id: number;
  name: string;
  state: 'refused' | 'uploading' | 'added' | 'failed';
  message?: string;
}

function FileSourceForm({ baseId }: { baseId: string }) {
  const upload = useUploadKnowledgeFile(baseId);
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const nextId = useRef(0);

  const setState = (next: Upload) => setUploads((list) => list.map((u) => (u.id === next.id ? next : u)));

  const addFiles = async (files: File[]) => {
    if (files.length === 0) return;
    const checked = files.map((file) => ({ file, id: nextId.current++, problem: checkKnowledgeFile(file) }));
    setUploads((list) => [
      ...list,
      ...checked.map(({ file, id, problem }): Upload =>
        problem
          ? { id, name: file.name, state: 'refused', message: problem }
          : { id, name: file.name, state: 'uploading' },
      ),
    ]);
    // One at a time: each upload is up to 20 MB and the API indexes them in order anyway.
    for (const { file, id, problem } of checked) {
      if (problem) continue;
      try {
        await upload.mutateAsync(file);
        setState({ id, name: file.name, state: 'added' });
      } catch (err) {
        const message = err instanceof ApiError ? err.message : 'Could not reach the server';
        setState({ id, name: file.name, state: 'failed', message });
      }
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void addFiles([...e.dataTransfer.files]);
  };

  return (
    <div className="flex flex-col gap-3">
      <div
        data-testid="file-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center text-sm ${over ? 'border-brand-500 bg-brand-50 dark:bg-slate-800' : 'border-slate-300 dark:border-slate-700'}`}
      >
        <p>Drop PDF, DOCX, TXT or CSV files here</p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Up to {formatBytes(KNOWLEDGE_MAX_FILE_BYTES)} each
        </p>
        <button type="button" className={secondaryButton} onClick={() => input.current?.click()}>
          Choose files
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept={KNOWLEDGE_ACCEPT}
          className="sr-only"
          aria-label="Files to add"
          tabIndex={-1}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void addFiles(files);
          }}
        />
      </div>
      {uploads.length > 0 && (
        <ul className="flex flex-col gap-1 text-sm" aria-label="Uploads" data-testid="uploads">
          {uploads.map((u) => (
            <li key={u.id} className="flex flex-wrap gap-2" data-state={u.state}>
              <span className="font-medium">{u.name}</span>
              <span
                className={
                  u.state === 'refused' || u.state === 'failed'
                    ? 'text-red-600 dark:text-red-400'
                    : 'text-slate-500 dark:text-slate-400'
                }
              >
                {u.state === 'uploading' ? 'Uploading…' : u.state === 'added' ? 'Added' : u.message}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Adding a source: pasted text, a web page, or files (dropped or picked). */
export function AddSourcePanel({ baseId }: { baseId: string }) {
  const [tab, setTab] = useState<Tab>('text');
  return (
    <section className={`${cardClass} flex flex-col gap-4 p-4`} aria-label="Add a source">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="font-semibold">Add a source</h2>
        <div role="tablist" aria-label="Source type" className="flex gap-1 text-sm">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`source-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`source-panel-${t.id}`}
              onClick={() => setTab(t.id)}
              className={`rounded-md px-3 py-1.5 ${tab === t.id ? 'bg-brand-50 font-medium text-brand-700 dark:bg-slate-800 dark:text-brand-100' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`}
            >
              {t.label}
            </button>
          ))}
        </div>
      </div>
      <div role="tabpanel" id={`source-panel-${tab}`} aria-labelledby={`source-tab-${tab}`}>
        {tab === 'text' && <TextSourceForm baseId={baseId} />}
        {tab === 'url' && <UrlSourceForm baseId={baseId} />}
        {tab === 'file' && <FileSourceForm baseId={baseId} />}
      </div>
    </section>
  );
}
