/**
 * A playground run in a URL: the whole validated config as JSON in one query parameter. JSON numbers round-trip
 * exactly in JavaScript, so a link reruns the same config, bit for bit, and the same JSON is a config file for
 * `collapse-lab run`.
 */
import { type PlaygroundConfig, parsePlaygroundConfig } from './catalog.js';

export const CONFIG_PARAMETER = 'config';

/** `?config=…` for a config (without the fields that only record where a config came from). */
export function playgroundConfigToSearch(config: PlaygroundConfig): string {
  const params = new URLSearchParams({ [CONFIG_PARAMETER]: JSON.stringify(config) });
  return `?${params.toString()}`;
}

/** The config a search string names, validated; undefined when it names none. */
export function playgroundConfigFromSearch(search: string): PlaygroundConfig | undefined {
  const text = new URLSearchParams(search).get(CONFIG_PARAMETER);
  if (text === null) return undefined;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the URL's ${CONFIG_PARAMETER} parameter is not JSON (${(error as Error).message}); copy the link again`,
    );
  }
  return parsePlaygroundConfig(input, `the URL's ${CONFIG_PARAMETER} parameter`);
}
