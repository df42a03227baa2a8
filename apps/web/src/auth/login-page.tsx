import { zodResolver } from '@hookform/resolvers/zod';
import { ZLoginRequest } from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { primaryButton } from '../ui/classes';
import { Field } from '../ui/field';
import { logIn } from './auth-actions';
import { AuthLayout, FormAlert } from './auth-layout';
import { applyServerErrors } from './form-errors';
import { useSession } from './use-session';

/** Where to go after logging in: the page the user was sent away from, if it is one of ours. */
function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  // `/` sends each role to its home (the inbox; the platform panel for superadmins).
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : '/';
}

export function LoginPage() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ resolver: zodResolver(ZLoginRequest), defaultValues: { email: '', password: '' } });
  const { errors, isSubmitting } = form.formState;

  if (session.status === 'signedIn') return <Navigate to={returnPath(location.state)} replace />;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await logIn(values);
      await navigate(returnPath(location.state), { replace: true });
    } catch (err) {
      setFormError(applyServerErrors(err, ['email', 'password'], form.setError));
    }
  });

  return (
    <AuthLayout title="Log in">
      <form onSubmit={(e) => void onSubmit(e)} className="flex flex-col gap-4" noValidate>
        {session.status === 'signedOut' && session.reason && !formError && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-950 dark:text-amber-200">
            {session.reason}
          </p>
        )}
        <FormAlert message={formError} />
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          autoFocus
          error={errors.email?.message}
          {...form.register('email')}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          error={errors.password?.message}
          {...form.register('password')}
        />
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Logging in…' : 'Log in'}
        </button>
        <p className="text-center text-sm text-slate-500 dark:text-slate-400">
          New here?{' '}
          <Link to="/register" className="font-medium text-brand-600 hover:underline dark:text-brand-500">
            Create a workspace
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}
