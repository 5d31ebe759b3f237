/**
 * Which department owns each gRPC method: only the owner may grant or revoke access to it, and
 * the owner may always call it. Keys are full method paths or a service prefix ending in "/".
 */
const OWNERS: Array<[prefix: string, owner: string]> = [
  ["/tongban.identity.v1.IdentityService/GetPerson", "psb"],
  ["/tongban.identity.v1.IdentityService/VerifyPerson", "psb"],
  ["/tongban.identity.v1.IdentityService/GetEntity", "samr"],
  ["/tongban.identity.v1.IdentityService/VerifyEntity", "samr"],
  ["/tongban.identity.v1.IdentityService/RegisterEntity", "samr"],
  ["/tongban.identity.v1.IdentityService/UpdateEntity", "samr"],
  ["/tongban.identity.v1.IdentityService/DeregisterEntity", "samr"],
  ["/tongban.registration.v1.BusinessRegistrationService/", "samr"],
  ["/tongban.tax.v1.TaxService/", "tax"],
  ["/tongban.social_insurance.v1.SocialInsuranceService/", "hrss"],
  ["/tongban.gateway.v1.CaseService/", "data"],
  ["/tongban.gateway.v1.SupervisionService/", "supervision"],
  ["/tongban.identity.v1.DepartmentRegistryService/", "data"],
  ["/tongban.licenses.v1.LicenceService/", "data"],
];

const METHOD_PATH = /^\/tongban\.[a-z_]+\.v\d+\.[A-Za-z]+Service\/[A-Za-z]+$/;

/** The owning department of a method, or undefined when the hub serves no such method. */
export function ownerOf(method: string): string | undefined {
  if (!METHOD_PATH.test(method)) return undefined;
  return OWNERS.find(([prefix]) => (prefix.endsWith("/") ? method.startsWith(prefix) : method === prefix))?.[1];
}
