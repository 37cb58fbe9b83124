/** A LIKE/ILIKE pattern that finds `s` anywhere, with LIKE's own wildcards in `s` taken literally. */
export const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
