// Passwords for signing in to the web UI: Node's scrypt (RFC 7914), a random 16-byte salt
// per hash, compared in constant time. The parameters are stored in each hash, so raising
// them later leaves existing passwords working.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SlipwayError } from '../core/errors.ts';

// N = 2^16, r = 8: 64 MiB and about 150 ms per hash on this project's machines (2 cores),
// run on libuv's thread pool, so a sign-in never stalls the event loop.
const params = { N: 2 ** 16, r: 8, p: 1 };
const keyLength = 32;
export const passwordLimits = { min: 10, max: 256 };

// libuv's pool (4 threads) also does the server's file reads: a flood of sign-ins may hold
// at most two of them, and at most 2 × 64 MiB.
const maxHashing = 2;
let hashing = 0;
const waiting: (() => void)[] = [];

async function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...o, maxmem: 128 * o.N * o.r * o.p + 1024 * 1024 };
  while (hashing >= maxHashing) await new Promise<void>((resolve) => waiting.push(resolve));
  hashing += 1;
  try {
    return await new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    hashing -= 1;
    waiting.shift()?.();
  }
}

/** Why a password may not be set, or undefined when it may. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < passwordLimits.min) return `a password needs at least ${passwordLimits.min} characters`;
  if (password.length > passwordLimits.max) return `a password has at most ${passwordLimits.max} characters`;
  return undefined;
}

export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new SlipwayError('BAD_REQUEST', problem);
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

// Hashed when the user is unknown, so a wrong name takes as long as a wrong password.
const decoy = `scrypt$${params.N}$${params.r}$${params.p}$${randomBytes(16).toString('base64url')}$${randomBytes(keyLength).toString('base64url')}`;

/** Whether `password` matches `stored`; with no stored hash, spends the same time and says no. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? decoy).split('$');
  const [scheme, n, r, p, salt, key] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt') throw new Error('unreadable password hash: expected scrypt$N$r$p$salt$hash');
  const expected = Buffer.from(key!, 'base64url');
  const got = await derive(password.slice(0, passwordLimits.max), Buffer.from(salt!, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return got.length === expected.length && timingSafeEqual(got, expected) && stored !== undefined;
}

/** A new random password: 20 characters, 120 bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
