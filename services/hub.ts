/**
 * Assembles a process: one broker, the services named in SERVICES, the shared store and the
 * databases they open. The same code runs the whole hub in one process (embedded default) or one
 * department per process over NATS.
 */
import type { ServiceBroker, ServiceSchema } from "moleculer";
import { createBroker } from "./common/broker";
import type { Config, ServiceName } from "./common/config";
import { checkConnectionBudget, closeDatabases, HealthRegistry, type Runtime } from "./common/runtime";
import { openSharedStore } from "./common/shared-store";
import { departmentRegistryService } from "./identity/department-registry.service";
import { identityService } from "./identity/identity.service";
import { licensesService } from "./licenses/licenses.service";
import { businessRegistrationService } from "./business-registration/business-registration.service";
import { taxService } from "./tax/tax.service";
import { socialInsuranceService } from "./social-insurance/social-insurance.service";
import { grpcEdgeService } from "../gateway/grpc/edge.service";
import { httpService } from "../gateway/http/http.service";
import { materialsService } from "../gateway/materials/materials.service";
import { bundlesService } from "../gateway/orchestrator/bundles.service";
import { supervisionService } from "../gateway/supervision/supervision.service";
import { dataUsesService } from "../gateway/audit/data-uses.service";
import { healthService, registerProcessChecks } from "./common/health-http";

/** The moleculer services each SERVICES entry hosts. */
const HOSTED: Record<ServiceName, Array<(rt: Runtime) => ServiceSchema>> = {
  identity: [identityService, departmentRegistryService],
  licenses: [licensesService],
  "business-registration": [businessRegistrationService],
  tax: [taxService],
  "social-insurance": [socialInsuranceService],
  gateway: [grpcEdgeService, httpService, materialsService, (rt) => bundlesService(rt), supervisionService, dataUsesService],
};

export interface Hub {
  broker: ServiceBroker;
  runtime: Runtime;
  stop(): Promise<void>;
}

/** Starts the broker with the configured services; resolves when all have started. */
export async function startHub(config: Config): Promise<Hub> {
  const runtime: Runtime = {
    config,
    store: openSharedStore(config.redisUrl, `${config.namespace}:`),
    health: new HealthRegistry(),
    databases: new Map(),
  };
  const broker = createBroker(config);
  registerProcessChecks(broker, runtime);
  for (const name of config.services) for (const make of HOSTED[name]) broker.createService(make(runtime));
  // The gateway serves health on PORT; a process without it does on HEALTH_PORT when asked to.
  if (!config.services.includes("gateway") && config.healthPort !== undefined) {
    broker.createService(healthService(runtime, config.healthPort));
  }
  const stop = async () => {
    await broker.stop();
    await closeDatabases(runtime);
    await runtime.store.close();
  };
  try {
    await broker.start();
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  await checkConnectionBudget(runtime).catch(() => undefined);
  return { broker, runtime, stop };
}
