/** A SQL WHERE clause from a query's filters: each `[condition with one ?, value]` applies when its value is set. */
export function whereClause(
  filters: readonly (readonly [string, string | number | undefined])[],
  always: readonly string[] = [],
): { where: string; params: (string | number)[] } {
  const set = filters.filter((f): f is readonly [string, string | number] => f[1] !== undefined);
  const conditions = [...always, ...set.map(([condition]) => condition)];
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params: set.map(([, value]) => value) };
}
