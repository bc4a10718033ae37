// Migrations are registered explicitly, in order: one file per change, never edited once
// released. The map key is the name the migrator records.
import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';

export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
};
