// Sign in with a user name and password, or with an API token; the server answers with a
// session cookie (HttpOnly, SameSite=Strict) and the CSRF token for this session.
import { useState } from 'preact/hooks';
import { useSession } from '../session.ts';

export function SignIn() {
  const { signIn } = useSession();
  const [withToken, setWithToken] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      await signIn(withToken ? { token: String(form.get('token')) } : { user: String(form.get('user')), password: String(form.get('password')) });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Slipway</h1>
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h2>Sign in</h2>
        {withToken ? (
          <label>
            Token
            <input name="token" type="password" autoComplete="off" required />
          </label>
        ) : (
          <>
            <label>
              User
              <input name="user" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          Sign in
        </button>
        <button type="button" class="link" onClick={() => setWithToken(!withToken)}>
          {withToken ? 'Sign in with a password' : 'Sign in with a token'}
        </button>
        <p class="muted">The first start prints the admin's initial password beside the admin token.</p>
      </form>
    </main>
  );
}
