/**
 * The family registry: every model family the lab knows, by name. The built-in families are listed here; a
 * library user adds one with `registerFamily` (no edit under src/). Configs, presets, `--help`, `list`,
 * scheduling and reports all read this list, so nothing else names a family.
 */
import { UsageError } from '../core/errors.js';
import type { ModelFamily } from '../core/family.js';
import { categoricalFamily } from './categorical/index.js';
import type { FamilyDefinition, Preset } from './definition.js';
import { externalImageFamily, externalTextFamily, externalVectorFamily } from './external/index.js';
import { gaussianFamily } from './gaussian/index.js';
import { gmmFamily } from './gmm/index.js';
import { gptFamily } from './gpt/index.js';
import { ngramFamily } from './ngram/index.js';
import { vaeFamily } from './vae/index.js';

export type { FamilyDefinition, FamilyFigures, Preset, PresetConfig } from './definition.js';
export { defineFamily } from './definition.js';

const FAMILIES = new Map<string, FamilyDefinition>(
  [
    categoricalFamily,
    gaussianFamily,
    gmmFamily,
    ngramFamily,
    gptFamily,
    vaeFamily,
    externalTextFamily,
    externalVectorFamily,
    externalImageFamily,
  ].map((d) => [d.name, d]),
);
let version = 0;

/**
 * Adds a family (and its presets) to the registry. Names must be new: a family or preset that would shadow
 * another is refused, so a config always means one thing.
 */
export function registerFamily(definition: FamilyDefinition): void {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name))
    throw new UsageError(`registerFamily: name '${definition.name}' must be lower-case letters, digits and '-'`);
  if (FAMILIES.has(definition.name))
    throw new UsageError(`registerFamily: a family named '${definition.name}' is already registered`);
  if (definition.options.shape.type.value !== definition.name)
    throw new UsageError(
      `registerFamily: options.type is '${definition.options.shape.type.value}'; it must be the family's name '${definition.name}'`,
    );
  const taken = Object.keys(definition.presets ?? {}).filter((p) => findPreset(p));
  if (taken.length > 0) throw new UsageError(`registerFamily: preset(s) ${taken.join(', ')} already exist`);
  FAMILIES.set(definition.name, definition);
  version++;
}

/** Every registered family, built-in ones first. */
export function familyDefinitions(): readonly FamilyDefinition[] {
  return [...FAMILIES.values()];
}

/** Bumped by every registration, so that schemas built from the registry know when to rebuild. */
export function registryVersion(): number {
  return version;
}

export function findFamily(name: string): FamilyDefinition | undefined {
  return FAMILIES.get(name);
}

/** The family of a validated config (it exists: validation checked the name against this registry). */
export function familyOf(name: string): FamilyDefinition {
  const found = FAMILIES.get(name);
  if (!found)
    throw new UsageError(
      `family.type: unknown family '${name}'; registered: ${[...FAMILIES.keys()].join(', ')} (registerFamily adds one)`,
    );
  return found;
}

/** Every preset of every family, in registry order. */
export function allPresets(): Readonly<Record<string, Preset>> {
  return Object.fromEntries(familyDefinitions().flatMap((d) => Object.entries(d.presets ?? {})));
}

export function findPreset(name: string): Preset | undefined {
  for (const d of FAMILIES.values()) if (d.presets && Object.hasOwn(d.presets, name)) return d.presets[name];
  return undefined;
}

/** The family a validated config's section describes. */
export function createFamily(options: { readonly type: string }): ModelFamily<never, unknown> {
  return familyOf(options.type).create(options) as ModelFamily<never, unknown>;
}
