import type { Part } from './part.js';
import type { PreparerMember } from './shop-view.js';
import type { Summary } from './summary.js';

/** What the page says of a part that cannot be read: the reason itself is in the summary's log. */
const unreadable: Record<'totals' | 'cabinet' | 'preparers' | 'latency', string> = {
  totals: 'PostgreSQL did not answer (the reason is in the summary’s log)',
  cabinet: 'Redis did not answer (the reason is in the summary’s log)',
  preparers: 'the Kafka admin API did not answer (the reason is in the summary’s log)',
  latency: 'orders-ready could not be read (the reason is in the summary’s log)',
};

/** Reasons in the summary's own words (no host, user or path in them): shown as they are. */
const ownWords = [
  /^table "orders" does not exist in PostgreSQL: apply connectors\/sql\/001-orders\.sql \(npm run db:migrate\)$/,
  /^topic [A-Za-z0-9._-]+ does not exist yet$/,
  /^Redis not connected \([a-z]+\)$/,
  /^Redis did not answer within \d+ ms$/,
];

const hideError = <T>(part: Part<T>, text: string): Part<T> =>
  part.error === null || ownWords.some((words) => words.test(part.error!)) ? part : { ...part, error: text };

/** A member as the page shows it: its label and partitions, not its member id or host. */
export type PublicMember = Pick<PreparerMember, 'label' | 'partitions'>;

/**
 * The summary as /api/summary and the page's stream give it: a backend's own error text (which may name
 * hosts, users or paths) and the members' ids and client hosts stay on the server.
 */
export function publicSummary(summary: Summary) {
  const preparers = hideError(summary.preparers, unreadable.preparers);
  return {
    ...summary,
    totals: hideError(summary.totals, unreadable.totals),
    cabinet: hideError(summary.cabinet, unreadable.cabinet),
    latency: hideError(summary.latency, unreadable.latency),
    preparers: {
      ...preparers,
      data: preparers.data && {
        ...preparers.data,
        members: preparers.data.members.map(({ label, partitions }): PublicMember => ({ label, partitions })),
      },
    },
  };
}
