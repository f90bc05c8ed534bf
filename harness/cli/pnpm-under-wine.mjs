// A resolve hook for hilt under Windows's Node when Wine runs it: Wine shows pnpm's symlinks as
// plain folders, so Node takes node_modules/execa for where execa lives and looks for its own
// dependencies beside it, where pnpm did not put them (ERR_MODULE_NOT_FOUND: is-plain-obj). pnpm
// also links every package into node_modules/.pnpm/node_modules: a bare import that fails is asked
// again from there. On Windows itself pnpm's junctions resolve and this hook is never needed.
import { pathToFileURL } from 'node:url';

let hoisted;

export function initialize(data) {
  hoisted = pathToFileURL(data.hoisted).href;
}

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const bare = !/^(\.|\/|[a-z]+:)/i.test(specifier);
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !bare) throw e;
    return next(specifier, { ...context, parentURL: hoisted });
  }
}
