import { parse } from 'yaml';
import * as core from '@actions/core';
import { ConfigurationError } from '../shared/errors.js';
import {
  getIntInput,
  getNumberInput,
  getOptionalInput,
  getRequiredInput,
} from '../shared/inputs.js';
import type { AnalysisSettings, CustomQuery } from './analysis.js';

/** Reads the canary analysis inputs. */
export function readAnalysis(): AnalysisSettings {
  const bearerToken = getOptionalInput('prometheus-token');
  if (bearerToken) core.setSecret(bearerToken);
  return {
    prometheusUrl: readPrometheusUrl(),
    bearerToken,
    requestsMetric: getRequiredInput('requests-metric'),
    durationMetric: getRequiredInput('duration-metric'),
    colorLabel: getRequiredInput('color-label'),
    statusLabel: getRequiredInput('status-label'),
    selector: getOptionalInput('metric-selector') ?? '',
    maxErrorRate: getNumberInput('max-error-rate', 0, 1),
    maxP95Seconds: getNumberInput('max-p95-latency', 0),
    minRequests: getIntInput('min-requests', 1),
    baselineErrorMargin: getNumberInput('baseline-error-margin', 0, 1),
    baselineLatencyTolerance: getNumberInput('baseline-latency-tolerance', 0),
    custom: parseCustomQueries(getOptionalInput('analysis-queries') ?? ''),
  };
}

function readPrometheusUrl(): string | undefined {
  const url = getOptionalInput('prometheus-url');
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new Error();
  } catch {
    throw new ConfigurationError(
      `Input "prometheus-url" is "${url}", which is not an http(s) URL. Use the server's base URL, such as http://127.0.0.1:9090.`,
    );
  }
  return url;
}

/**
 * Parses the `analysis-queries` input: a YAML list of
 * `{ name, query, max?, min? }`, where the query may use `{{color}}`,
 * `{{version}}`, `{{service}}` and `{{window}}`.
 */
export function parseCustomQueries(text: string): CustomQuery[] {
  if (text.trim() === '') return [];
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `Input "analysis-queries" is not valid YAML: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(value)) {
    throw new ConfigurationError(
      'Input "analysis-queries" must be a YAML list of entries with name, query and max or min.',
    );
  }
  return value.map((entry: unknown, index) => {
    const item = entry as Record<string, unknown>;
    const where = `Input "analysis-queries", entry ${index + 1}`;
    if (typeof item?.name !== 'string' || typeof item.query !== 'string') {
      throw new ConfigurationError(
        `${where}: "name" and "query" must both be strings.`,
      );
    }
    for (const key of ['max', 'min'] as const) {
      if (item[key] !== undefined && typeof item[key] !== 'number') {
        throw new ConfigurationError(
          `${where} (${item.name}): "${key}" is ${JSON.stringify(item[key])}, but it must be a number.`,
        );
      }
    }
    if (item.max === undefined && item.min === undefined) {
      throw new ConfigurationError(
        `${where} (${item.name}): set "max" or "min", the threshold the value must stay within.`,
      );
    }
    return {
      name: item.name,
      query: item.query,
      max: item.max as number | undefined,
      min: item.min as number | undefined,
    };
  });
}
