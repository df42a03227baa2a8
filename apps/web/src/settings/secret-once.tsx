import { ghostButton } from '../ui/classes';
import { CopyValue } from './copy-button';

/**
 * A secret the server returns only once (raw API key, signing secret, inbound secret): shown with a plain
 * warning until the admin dismisses it, because it can never be read again.
 */
export function SecretOnce({
  title,
  secret,
  onDismiss,
  testId,
}: {
  title: string;
  secret: string;
  onDismiss: () => void;
  testId?: string;
}) {
  return (
    <div
      role="alert"
      className="flex flex-col gap-2 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950"
    >
      <p className="font-medium text-amber-900 dark:text-amber-100">{title}</p>
      <p className="text-amber-800 dark:text-amber-200">
        Copy it now and keep it somewhere safe: it is shown only this once and cannot be retrieved later.
      </p>
      <CopyValue value={secret} label={title} testId={testId} />
      <div>
        <button type="button" className={ghostButton} onClick={onDismiss}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
