/** The page and its parameters live in the URL's hash (#/run?id=...), so every view is a link and reloads. */
export interface Route {
  readonly page: string;
  readonly params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, query = ''] = hash.split('?', 2);
  return { page: page || 'runs', params: new URLSearchParams(query) };
}

export function href(page: string, params: Record<string, string | readonly string[]> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    for (const v of typeof value === 'string' ? [value] : value) query.append(key, v);
  const text = query.toString();
  return `#/${page}${text ? `?${text}` : ''}`;
}
