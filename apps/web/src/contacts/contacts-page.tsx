import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../app/not-found';
import { EditContactPage, NewContactPage } from './contact-edit-page';
import { ContactsListPage } from './contacts-list-page';
import { ImportPage } from './import-page';
import { MergePage } from './merge-page';

/** Everything under /contacts; each page has its own URL so a reload keeps it. */
export function ContactsPage() {
  return (
    <Routes>
      <Route index element={<ContactsListPage />} />
      <Route path="new" element={<NewContactPage />} />
      <Route path="import" element={<ImportPage />} />
      <Route path="merge" element={<MergePage />} />
      <Route path=":contactId" element={<EditContactPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
