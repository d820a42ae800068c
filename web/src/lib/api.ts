/** The server's JSON views (src/server/views.ts), fetched with their errors said in words. */
export interface FigureView {
  readonly id: string;
  readonly title: string;
  readonly caption?: string;
  readonly spec: Record<string, unknown>;
}

export interface RunRow {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly policy: string;
  readonly seed: number;
  readonly status: 'finished' | 'running' | 'dead' | 'incomplete' | 'damaged';
  readonly generationsDone: number;
  readonly generations: number;
  readonly started: string | null;
  readonly problem: string | null;
}

export interface Listing {
  readonly root: string;
  readonly runs: RunRow[];
  readonly collections: { id: string; kind: string; started: string; runs: RunRow[] }[];
}

export interface Progress {
  readonly generation: number;
  readonly generations: number;
  readonly phase: string;
  readonly fraction: number;
  readonly message?: string;
  readonly time: string;
}

export interface RunView {
  readonly id: string;
  readonly config: {
    name: string;
    label?: string;
    seed: number;
    generations: number;
    family: { type: string };
    policy: { type: string };
  } & Record<string, unknown>;
  readonly status: RunRow['status'];
  readonly generationsDone: number;
  readonly progress: Progress | null;
  readonly summary: Record<string, unknown> | null;
  readonly figures: FigureView[];
  readonly sections: { title: string; html: string }[];
  readonly report: string | null;
}

export interface CompareView {
  readonly dropped: { id: string; sameAs: string }[];
  readonly families: {
    family: string;
    groups: { label: string; runs: string[] }[];
    finalTable: string;
    rates: string | null;
    figures: FigureView[];
  }[];
}

export interface SweepView {
  readonly id: string;
  readonly name: string;
  readonly axes: string[];
  readonly runner: string;
  readonly metric: string | null;
  readonly counts: Record<string, number>;
  readonly cellHeader: string[];
  readonly cellRows: string[][];
  readonly figures: FigureView[];
  readonly trials: {
    id: string;
    run: string;
    point: Record<string, unknown>;
    seed: number;
    state: string;
    attempts: number;
    generationsDone: number | null;
    generations: number;
    error: string | null;
  }[];
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error((body as { error?: string }).error ?? `${response.status} ${response.statusText}`);
  return body as T;
}

/** A query string; a list value repeats its key (?id=a&id=b). */
export const query = (params: Record<string, string | readonly string[]>) => {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    for (const v of typeof value === 'string' ? [value] : value) q.append(key, v);
  return q.toString();
};
