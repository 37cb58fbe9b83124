// Ids are UUIDv7 (RFC 9562): opaque to clients, yet ordered by creation time, so "newest first" is an
// index scan on the primary key and cursors are just the last id seen. From the `uuid` package: it
// keeps ids monotonic within a millisecond (a counter in the random bits) and draws its randomness
// from a pooled buffer instead of one crypto call per id.
import { v7 } from 'uuid';

export const uuidv7 = (): string => v7();
