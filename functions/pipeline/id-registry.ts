/**
 * Duplicate-id detection. Ids must be unique within a file (DESIGN "Formats"): the first line
 * with an id keeps it, every later line with the same id becomes an error result.
 */
import { errorResult } from './result-record.ts';
import type { ResultRecord } from './types.ts';

export interface IdRegistry {
  /** Records `id` for `line`; returns the earlier line when the id was seen before. */
  claim(id: string, line: number): number | undefined;
}

/** Holds one entry per distinct id (the planner sees every id of a job once). */
export function createIdRegistry(): IdRegistry {
  const seen = new Map<string, number>();
  return {
    claim(id, line) {
      const first = seen.get(id);
      if (first !== undefined) return first;
      seen.set(id, line);
      return undefined;
    },
  };
}

/** The error result of a line whose id was already used by `firstLine`. */
export function duplicateResult(
  at: { id: string; line: number },
  firstLine: number,
  model: string,
): ResultRecord {
  return errorResult(
    { id: at.id, line: at.line, model },
    {
      kind: 'invalid_input',
      field: 'id',
      message: `line ${at.line}: field "id" ("${at.id}") is already used by line ${firstLine}; ids must be unique within a file. Give this line another id or remove it.`,
    },
  );
}
