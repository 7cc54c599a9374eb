/**
 * The attributes a condition is evaluated against, by source (Azure's `@Request[…]` and
 * `@Resource[…]`). Keys are attribute names as conditions write them, compared case-insensitively
 * (`Microsoft.Authorization/roleAssignments:RoleDefinitionId`); a value is one string or, for a
 * multi-valued attribute, a list. `subOperation` names the suboperation for `SubOperationMatches`.
 *
 * Passing attributes to `AccessIndex.evaluate` means "these are all the attributes there are": a
 * comparison on one that is missing is false. Passing none means "not known yet": a grant that
 * depends on them is reported as `AttributesRequired` instead of being decided.
 */
export interface ConditionAttributes {
  request?: Readonly<Record<string, string | readonly string[]>>;
  resource?: Readonly<Record<string, string | readonly string[]>>;
  subOperation?: string;
}
