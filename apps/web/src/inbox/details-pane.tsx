import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { AppointmentsList } from '../contacts/appointments-list';
import { inputClass } from '../ui/classes';
import { fullTime, initials } from '../ui/format';
import { ErrorState, Spinner } from '../ui/states';
import { useUpdateConversation } from './mutations';
import { useContact, useConversation } from './queries';

function Row({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <div>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="text-sm break-words">{value}</dd>
    </div>
  );
}

function ConversationTags({ conversationId, tags }: { conversationId: string; tags: string[] }) {
  const update = useUpdateConversation(conversationId);
  const [draft, setDraft] = useState('');
  const add = (e: FormEvent) => {
    e.preventDefault();
    const tag = draft.trim();
    if (!tag || tags.includes(tag)) return setDraft('');
    update.mutate({ tags: [...tags, tag] }, { onSuccess: () => setDraft('') });
  };
  return (
    <section className="flex flex-col gap-2">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Tags
      </h3>
      <ul className="flex flex-wrap gap-1.5" aria-label="Conversation tags">
        {tags.map((t) => (
          <li
            key={t}
            className="flex items-center gap-1 rounded-full bg-brand-50 px-2 py-0.5 text-xs text-brand-700 dark:bg-slate-800 dark:text-brand-100"
          >
            {t}
            <button
              type="button"
              aria-label={`Remove tag ${t}`}
              onClick={() => update.mutate({ tags: tags.filter((x) => x !== t) })}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <input
          className={inputClass}
          aria-label="Add a tag"
          placeholder="Add a tag and press Enter"
          value={draft}
          maxLength={50}
          onChange={(e) => setDraft(e.target.value)}
        />
      </form>
      {update.error && (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {update.error instanceof ApiError ? update.error.message : 'Could not save the tags'}
        </p>
      )}
    </section>
  );
}

/** The contact behind the conversation, and the conversation's tags. */
export function DetailsPane({ conversationId }: { conversationId: string }) {
  const conversation = useConversation(conversationId);
  const contactId = conversation.data?.contactId;
  if (!contactId) return null;
  return (
    <div className="flex flex-col gap-6 p-4">
      <ContactCard contactId={contactId} />
      <AppointmentsList contactId={contactId} />
      <ConversationTags conversationId={conversationId} tags={conversation.data?.tags ?? []} />
    </div>
  );
}

function ContactCard({ contactId }: { contactId: string }) {
  const contact = useContact(contactId);
  if (contact.isPending) return <Spinner label="Loading contact" />;
  if (contact.isError) return <ErrorState error={contact.error} onRetry={() => void contact.refetch()} />;
  const c = contact.data;
  const custom = Object.entries(c.customFields);
  return (
    <section className="flex flex-col gap-4" data-testid="contact-details">
      <div className="flex items-center gap-3">
        <span className="flex size-12 items-center justify-center rounded-full bg-slate-200 font-semibold dark:bg-slate-700">
          {initials(c.name ?? c.phone ?? c.email)}
        </span>
        <div className="min-w-0">
          <p className="truncate font-semibold">{c.name ?? 'Unnamed contact'}</p>
          {c.isOnDncList && <p className="text-xs text-red-600">Do not contact</p>}
        </div>
      </div>
      <dl className="flex flex-col gap-3">
        <Row label="Phone" value={c.phone} />
        <Row label="Email" value={c.email} />
        <Row label="Contact tags" value={c.tags.join(', ')} />
        {c.identities.map((i) => (
          <Row key={`${i.channelType}:${i.identifier}`} label={i.channelType} value={i.identifier} />
        ))}
        {custom.map(([key, value]) => (
          <Row key={key} label={key} value={typeof value === 'string' ? value : JSON.stringify(value)} />
        ))}
        <Row label="Since" value={fullTime(c.createdAt)} />
      </dl>
    </section>
  );
}
