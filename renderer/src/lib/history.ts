import type { VodRow } from '../../../electron/contract/domain';

/**
 * History rows as the page shows them: the posts of a VOD (one per part and destination), the
 * destinations that still miss it (preselected for "post again"), and paging.
 */
export interface PostLink {
  destinationId: string;
  destinationName: string;
  part: number;
  link: string;
  web: boolean;
}

/** Every post of the VOD, messages (web links) first so the row's one link opens a post. */
export function postLinks(v: VodRow): PostLink[] {
  const all = v.parts.flatMap((p) =>
    p.posts
      .filter((x) => x.state === 'done' && x.link)
      .map((x) => ({ destinationId: x.destinationId, destinationName: x.destinationName, part: p.index, link: x.link as string, web: /^https?:\/\//.test(x.link as string) })),
  );
  return [...all.filter((l) => l.web), ...all.filter((l) => !l.web)];
}

/** Configured destinations that do not have every part of the VOD. */
export function missingDestinations(v: VodRow, configured: readonly string[]): string[] {
  const total = v.partsTotal ?? v.parts.length;
  return configured.filter((key) => {
    const done = v.parts.filter((p) => p.posts.some((x) => x.destinationId === key && x.state === 'done')).length;
    return total === 0 || done < total;
  });
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
