// The signed-in user, shared by every page (null: signed out; undefined: not known yet).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionUser } from './types.ts';

export interface SessionState {
  user: SessionUser | null | undefined;
  signIn: (body: { user: string; password: string } | { token: string }) => Promise<void>;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionState>({ user: undefined, signIn: async () => {}, signOut: async () => {} });

export const useSession = (): SessionState => useContext(SessionContext);

/** The user of a page that is shown only when signed in. */
export function useUser(): SessionUser {
  const u = useSession().user;
  if (!u) throw new Error('this page needs a signed-in user');
  return u;
}
