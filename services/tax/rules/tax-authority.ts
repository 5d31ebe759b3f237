/** The competent tax authority (主管税务机关) of a taxpayer, from the region where it is registered. */
import { findRegion } from "../../identity/rules/regions";

/**
 * 国家税务总局 + the local bureau's name: a city district's bureau carries its city
 * (国家税务总局成都市锦江区税务局, 国家税务总局北京市朝阳区税务局), a county's stands alone
 * (国家税务总局古田县税务局). Undefined for a region code the hub does not serve.
 */
export function taxAuthorityFor(regionCode: string): string | undefined {
  const region = findRegion(regionCode);
  if (!region) return undefined;
  const local = region.district.endsWith("区") ? `${region.city}${region.district}` : region.district;
  return `国家税务总局${local}税务局`;
}
