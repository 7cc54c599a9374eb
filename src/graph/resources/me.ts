import type { GraphOperation } from '../http/context.js';
import { getUser, userMemberOf } from './users.js';

/** `/me` is `users/{signed-in user}`: the same answers, the same `@odata.context`. */
const asSignedInUser =
  (operation: GraphOperation): GraphOperation =>
  (context) =>
    operation({
      ...context,
      params: { ...context.params, id: { value: context.caller.objectId, property: 'id' } },
    });

export const getMe = asSignedInUser(getUser);
export const myMemberOf = (transitive: boolean) => asSignedInUser(userMemberOf(transitive));
