import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../app/not-found';
import { KnowledgeBasePage } from './knowledge-base-page';
import { KnowledgeBasesPage } from './knowledge-bases-page';

/** Everything under /knowledge. Admins change bases and sources; everyone in the workspace may look and search. */
export function KnowledgePage() {
  return (
    <div className="h-full overflow-y-auto p-4 sm:p-6">
      <div className="mx-auto max-w-6xl">
        <Routes>
          <Route index element={<KnowledgeBasesPage />} />
          <Route path=":baseId" element={<KnowledgeBasePage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </div>
    </div>
  );
}
