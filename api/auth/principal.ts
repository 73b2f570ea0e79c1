/** Who is calling an HR endpoint. An admin key has no company and sees every company's data. */
export interface Principal {
  keyId: string;
  companyId: string | null;
  isAdmin: boolean;
}

/** The company a query must be limited to, or null for an admin who may see all. */
export function companyScope(principal: Principal): string | null {
  return principal.isAdmin ? null : principal.companyId;
}
