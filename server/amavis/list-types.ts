import type { ListSort } from './list-index-ddl';
import type { SortDir } from './list-index-query';
import type { ListRow } from './list-parts';

export interface ListQuery {
  limit: number;
  cursor?: string | undefined;
  sort?: ListSort | undefined;
  /** Newest (highest, Z…A) first by default. */
  dir?: SortDir | undefined;
  q?: string | undefined;
  type?: string[] | undefined;
  status?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Unix seconds, inclusive. */
  since?: number | undefined;
  /** Unix seconds, exclusive. */
  until?: number | undefined;
  count?: boolean | undefined;
}

export interface ListResult {
  rows: ListRow[];
  nextCursor: string | null;
  count?: { value: number; capped: boolean };
}
