import { formatValue, type Round } from './analysis.js';

/** One row per measurement of every analysis round: value, threshold, query. */
export function roundsTable(rounds: Round[]) {
  return {
    title: 'Canary analysis',
    header: [
      'time',
      'window',
      'measurement',
      'value',
      'threshold',
      'verdict',
      'query',
    ],
    rows: rounds.flatMap((round) =>
      round.measurements.map((m) => [
        round.at.slice(11, 19),
        `${round.windowSeconds}s`,
        m.name,
        m.value === undefined ? 'no data' : formatValue(m.value),
        m.threshold,
        `${m.verdict}${m.verdict === 'pass' ? '' : ` (${m.reason})`}`,
        `\`${m.query}\``,
      ]),
    ),
  };
}
