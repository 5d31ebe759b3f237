/**
 * The gRPC services the hub serves and the moleculer service behind each. The edge maps
 * `/<package>.<Service>/<Method>` to the action `<moleculer service>.<method in lowerCamelCase>`,
 * which is the key ts-proto gives the method: adding an RPC is proto, action, done.
 */
import type { ServiceDefinition } from "@grpc/grpc-js";
import { IdentityServiceService } from "../../proto/gen/tongban/identity/v1/identity";
import { DepartmentRegistryServiceService } from "../../proto/gen/tongban/identity/v1/departments";
import { LicenceServiceService } from "../../proto/gen/tongban/licenses/v1/licenses";
import { BusinessRegistrationServiceService } from "../../proto/gen/tongban/registration/v1/registration";
import { SocialInsuranceServiceService } from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { TaxServiceService } from "../../proto/gen/tongban/tax/v1/tax";
import { CaseServiceService } from "../../proto/gen/tongban/gateway/v1/cases";
import { SupervisionServiceService } from "../../proto/gen/tongban/gateway/v1/supervision";

export interface ServedService {
  /** Full proto name, e.g. tongban.identity.v1.IdentityService (the health service name). */
  fullName: string;
  definition: ServiceDefinition;
  /** The moleculer service that implements it. */
  moleculerService: string;
  /** Proto file under proto/, for reflection. */
  protoFile: string;
}

export const SERVED_SERVICES: ServedService[] = [
  {
    fullName: "tongban.identity.v1.IdentityService",
    definition: IdentityServiceService as unknown as ServiceDefinition,
    moleculerService: "identity",
    protoFile: "tongban/identity/v1/identity.proto",
  },
  {
    fullName: "tongban.identity.v1.DepartmentRegistryService",
    definition: DepartmentRegistryServiceService as unknown as ServiceDefinition,
    moleculerService: "departments",
    protoFile: "tongban/identity/v1/departments.proto",
  },
  {
    fullName: "tongban.licenses.v1.LicenceService",
    definition: LicenceServiceService as unknown as ServiceDefinition,
    moleculerService: "licenses",
    protoFile: "tongban/licenses/v1/licenses.proto",
  },
  {
    fullName: "tongban.registration.v1.BusinessRegistrationService",
    definition: BusinessRegistrationServiceService as unknown as ServiceDefinition,
    moleculerService: "registration",
    protoFile: "tongban/registration/v1/registration.proto",
  },
  {
    fullName: "tongban.tax.v1.TaxService",
    definition: TaxServiceService as unknown as ServiceDefinition,
    moleculerService: "tax",
    protoFile: "tongban/tax/v1/tax.proto",
  },
  {
    fullName: "tongban.social_insurance.v1.SocialInsuranceService",
    definition: SocialInsuranceServiceService as unknown as ServiceDefinition,
    moleculerService: "social-insurance",
    protoFile: "tongban/social_insurance/v1/social_insurance.proto",
  },
  {
    fullName: "tongban.gateway.v1.CaseService",
    definition: CaseServiceService as unknown as ServiceDefinition,
    moleculerService: "bundles",
    protoFile: "tongban/gateway/v1/cases.proto",
  },
  {
    fullName: "tongban.gateway.v1.SupervisionService",
    definition: SupervisionServiceService as unknown as ServiceDefinition,
    moleculerService: "supervision",
    protoFile: "tongban/gateway/v1/supervision.proto",
  },
];

export interface MethodRoute {
  path: string;
  action: string;
  service: ServedService;
  key: string;
}

/** Every served method with the action it maps to, keyed by its gRPC path. */
export const METHOD_ROUTES: ReadonlyMap<string, MethodRoute> = new Map(
  SERVED_SERVICES.flatMap((service) =>
    Object.entries(service.definition).map(([key, def]) => {
      const route: MethodRoute = { path: def.path, action: `${service.moleculerService}.${key}`, service, key };
      return [def.path, route] as const;
    }),
  ),
);
