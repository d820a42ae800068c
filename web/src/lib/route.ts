/** The page and its parameters live in the URL's hash (#/run?id=...), so every view is a link and reloads. */
import { query } from './api';

export interface Route {
  readonly page: string;
  readonly params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, search = ''] = hash.split('?', 2);
  return { page: page || 'runs', params: new URLSearchParams(search) };
}

export function href(page: string, params: Record<string, string | readonly string[]> = {}): string {
  const text = query(params);
  return `#/${page}${text ? `?${text}` : ''}`;
}
