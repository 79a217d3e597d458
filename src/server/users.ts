// The desk's local users: a name, a role and an argon2id hash of the password (the PHC string
// carries its salt and parameters). Passwords never reach the store, argv or a log.
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { FatalError } from '../diagnostics/index.js';
import { sqlStatements, type Store } from '../store/index.js';

const SQL = sqlStatements(import.meta.url, 'desk.sql');

export const DESK_ROLES = ['reviewer', 'supervisor', 'agent'] as const;
export const DeskRole = z.enum(DESK_ROLES);
export type DeskRole = z.infer<typeof DeskRole>;

export interface DeskUser {
  name: string;
  role: DeskRole;
}

const USER_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
export const MIN_PASSWORD = 10;

// A hash to verify against when the name is unknown, so a failed sign-in takes as long either way
// and does not tell which names exist.
let decoy: Promise<string> | undefined;

export async function addUser(store: Store, name: string, role: string, password: string, now: Date): Promise<DeskUser> {
  if (!USER_NAME.test(name)) throw new FatalError(`user name '${name}' must be 1–32 of A–Z a–z 0–9 _ . -`);
  const parsed = DeskRole.safeParse(role);
  if (!parsed.success) throw new FatalError(`--role must be one of ${DESK_ROLES.join(', ')}, not '${role}'`);
  if ([...password].length < MIN_PASSWORD) throw new FatalError(`the password must have at least ${MIN_PASSWORD} characters`);
  if ((await store.rows(SQL['find-user']!, { user_name: name })).length > 0) throw new FatalError(`user '${name}' already exists`);
  await store.run(SQL['insert-user']!, {
    user_name: name, role: parsed.data, password_hash: await hash(password), created_at: now.toISOString().slice(0, 19).replace('T', ' '),
  });
  return { name, role: parsed.data };
}

export async function listUsers(store: Store): Promise<(DeskUser & { createdAt: string })[]> {
  return (await store.rows(SQL['list-users']!)).map((r) => ({ name: String(r.user_name), role: r.role as DeskRole, createdAt: String(r.created_at) }));
}

/** The user whose name and password these are, or null (unknown name, wrong password, disabled). */
export async function authenticate(store: Store, name: string, password: string): Promise<DeskUser | null> {
  const r = (await store.rows(SQL['find-user']!, { user_name: name }))[0];
  if (!r || r.disabled) {
    decoy ??= hash('not a password of anyone');
    await verify(await decoy, password);
    return null;
  }
  return (await verify(String(r.password_hash), password)) ? { name: String(r.user_name), role: r.role as DeskRole } : null;
}
