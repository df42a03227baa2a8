import type { TContact } from '@orbitdesk/shared';
import type { ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router';
import { cardClass } from '../ui/classes';
import { fullTime } from '../ui/format';
import { ErrorState, Spinner } from '../ui/states';
import { AppointmentsList } from './appointments-list';
import { ContactForm } from './contact-form';
import { useContactDetails, useCreateContact, useUpdateContact } from './queries';

function PageFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="h-full overflow-y-auto p-4 sm:p-6">
      <div className={`${cardClass} mx-auto max-w-2xl p-6`}>
        <h1 className="mb-4 text-lg font-semibold">{title}</h1>
        {children}
      </div>
    </div>
  );
}

export function NewContactPage() {
  const navigate = useNavigate();
  const create = useCreateContact();
  return (
    <PageFrame title="New contact">
      <ContactForm
        onSubmit={async (body) => {
          await create.mutateAsync(body);
          await navigate('/contacts');
        }}
        onCancel={() => void navigate('/contacts')}
      />
    </PageFrame>
  );
}

function EditForm({ contact }: { contact: TContact }) {
  const navigate = useNavigate();
  const update = useUpdateContact(contact.id);
  return (
    <>
      <p className="mb-4 text-xs text-slate-500 dark:text-slate-400">
        Created {fullTime(contact.createdAt)}
        {contact.identities.length > 0 &&
          ` · ${contact.identities.map((i) => `${i.channelType}: ${i.identifier}`).join(', ')}`}
      </p>
      <ContactForm
        contact={contact}
        onSubmit={async (body) => {
          await update.mutateAsync(body);
          await navigate('/contacts');
        }}
        onCancel={() => void navigate('/contacts')}
      />
      <div className="mt-6 border-t border-slate-200 pt-4 dark:border-slate-800">
        <AppointmentsList contactId={contact.id} />
      </div>
    </>
  );
}

export function EditContactPage() {
  const { contactId } = useParams();
  const contact = useContactDetails(contactId);
  return (
    <PageFrame title="Edit contact">
      {contact.isPending ? (
        <Spinner label="Loading the contact" />
      ) : contact.isError ? (
        <ErrorState error={contact.error} onRetry={() => void contact.refetch()} />
      ) : (
        // Keyed so the form starts over from the stored values when another contact is opened.
        <EditForm key={contact.data.id} contact={contact.data} />
      )}
    </PageFrame>
  );
}
