import { entitySets, functionImports } from '../odata/model.js';
import type { PathModel } from '../odata/resourcePath.js';

/** What the path parser needs of the model, built once. */
export const PATH_MODEL: PathModel = {
  sets: entitySets,
  functions: new Set(functionImports.filter((f) => f.kind === 'function').map((f) => f.name)),
  actions: functionImports.reduce((actions, f) => {
    if (!f.binding) return actions;
    const names = actions.get(f.binding.set) ?? new Set<string>();
    names.add(f.name);
    return actions.set(f.binding.set, names);
  }, new Map<string, Set<string>>()),
};
