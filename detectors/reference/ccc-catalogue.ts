// Reference data: the CCC compulsory-certification catalogue (product codes) and the production-licence
// product list, each with the listing category ids (ListingSnapshot.category) they cover.
// In: nothing. Out: lookups used by certificate_mismatch (category checks, "required but missing") and by
// the other detectors (three-no's "certificate where required").
// Sources: the codes 0101, 0201, 0701, 0702, 0901 are from docs (design/domain.md). The others are from
// the CNCA catalogue as we know it (2023: 16 categories, 96 products) and must be checked against the
// current official list before production use: a wrong code here gives wrong category-mismatch findings,
// so codes we were not sure of are left out rather than guessed. Category ids and the codes for gas, fire,
// wire and child-seat products are aligned with the demo marketplace (crawlers/demo-market/catalogue.ts),
// which marks them unverified too. A listing category may also be a CCC code itself ('0701').

export interface CccProduct {
  /** 4-digit CCC product code. */
  readonly code: string;
  readonly nameZh: string;
  readonly nameEn: string;
  /** Listing category ids this product code covers. */
  readonly categories: readonly string[];
}

export const CCC_PRODUCTS: readonly CccProduct[] = [
  { code: '0101', nameZh: '电线组件', nameEn: 'cord sets', categories: ['cord_set', 'power_cord'] },
  { code: '0102', nameZh: '电线电缆(额定电压450/750V及以下)', nameEn: 'wires and cables up to 450/750 V', categories: ['electric_wire'] },
  { code: '0201', nameZh: '插头插座', nameEn: 'plugs and socket-outlets', categories: ['plug_socket', 'power_strip', 'socket', 'travel_adapter'] },
  { code: '0202', nameZh: '家用和类似用途固定式电气装置的开关', nameEn: 'switches for household fixed installations', categories: ['wall_switch'] },
  { code: '0203', nameZh: '器具耦合器', nameEn: 'appliance couplers', categories: ['appliance_coupler'] },
  { code: '0401', nameZh: '小功率电动机', nameEn: 'small-power motors', categories: ['small_motor'] },
  { code: '0501', nameZh: '电钻', nameEn: 'electric drills', categories: ['power_drill', 'electric_drill'] },
  { code: '0505', nameZh: '圆锯', nameEn: 'circular saws', categories: ['circular_saw'] },
  { code: '0506', nameZh: '电锤', nameEn: 'rotary hammers', categories: ['rotary_hammer'] },
  { code: '0601', nameZh: '小型交流弧焊机', nameEn: 'small AC arc welding machines', categories: ['welding_machine'] },
  { code: '0701', nameZh: '家用电冰箱和食品冷冻箱', nameEn: 'household refrigerators and food freezers', categories: ['refrigerator', 'freezer'] },
  { code: '0702', nameZh: '电风扇', nameEn: 'electric fans', categories: ['electric_fan', 'fan'] },
  { code: '0703', nameZh: '空调器', nameEn: 'air conditioners', categories: ['air_conditioner'] },
  { code: '0705', nameZh: '家用电动洗衣机', nameEn: 'household washing machines', categories: ['washing_machine'] },
  { code: '0706', nameZh: '电热水器', nameEn: 'electric water heaters', categories: ['water_heater', 'electric_water_heater'] },
  { code: '0707', nameZh: '室内加热器', nameEn: 'room heaters', categories: ['room_heater', 'electric_heater', 'space_heater'] },
  { code: '0708', nameZh: '真空吸尘器', nameEn: 'vacuum cleaners', categories: ['vacuum_cleaner'] },
  { code: '0709', nameZh: '皮肤和毛发护理器具', nameEn: 'skin and hair care appliances', categories: ['hair_dryer', 'hair_straightener', 'electric_shaver'] },
  { code: '0710', nameZh: '电熨斗', nameEn: 'electric irons', categories: ['electric_iron'] },
  { code: '0711', nameZh: '电磁灶', nameEn: 'induction hobs', categories: ['induction_cooker'] },
  { code: '0712', nameZh: '电烤箱', nameEn: 'electric ovens', categories: ['electric_oven'] },
  { code: '0713', nameZh: '电动食品加工器具', nameEn: 'food processors', categories: ['food_processor', 'blender', 'juicer'] },
  { code: '0714', nameZh: '微波炉', nameEn: 'microwave ovens', categories: ['microwave_oven'] },
  { code: '0716', nameZh: '吸油烟机', nameEn: 'range hoods', categories: ['range_hood'] },
  { code: '0717', nameZh: '液体加热器和冷热饮水机', nameEn: 'liquid heaters and water dispensers', categories: ['electric_kettle', 'water_dispenser'] },
  { code: '0718', nameZh: '电饭锅', nameEn: 'rice cookers', categories: ['rice_cooker'] },
  { code: '0719', nameZh: '电热毯、电热垫及类似柔性发热器具', nameEn: 'electric blankets', categories: ['electric_blanket'] },
  { code: '0801', nameZh: '总输出功率在500W以下的有源音箱', nameEn: 'active loudspeakers under 500 W', categories: ['speaker', 'bluetooth_speaker'] },
  { code: '0901', nameZh: '微型计算机', nameEn: 'microcomputers', categories: ['desktop_computer'] },
  { code: '0902', nameZh: '便携式计算机', nameEn: 'portable computers', categories: ['laptop', 'tablet_computer'] },
  { code: '0903', nameZh: '与计算机连用的显示设备', nameEn: 'computer displays', categories: ['monitor'] },
  { code: '0904', nameZh: '与计算机相连的打印设备', nameEn: 'printers', categories: ['printer'] },
  { code: '0907', nameZh: '计算机内置电源及电源适配器充电器', nameEn: 'power supplies, adapters and chargers', categories: ['phone_charger', 'charger', 'power_adapter'] },
  { code: '0911', nameZh: '服务器', nameEn: 'servers', categories: ['server'] },
  { code: '0914', nameZh: '锂离子电池和电池组', nameEn: 'lithium-ion cells and batteries', categories: ['lithium_battery'] },
  { code: '0915', nameZh: '移动电源', nameEn: 'power banks', categories: ['power_bank'] },
  { code: '1001', nameZh: '灯具', nameEn: 'luminaires', categories: ['led_lamp', 'desk_lamp', 'luminaire', 'ceiling_light'] },
  { code: '1211', nameZh: '机动车儿童乘员用约束系统', nameEn: 'child restraint systems (car seats)', categories: ['child_car_seat'] },
  { code: '1606', nameZh: '移动用户终端', nameEn: 'mobile user terminals', categories: ['mobile_phone', 'smartphone'] },
  { code: '1801', nameZh: '火灾报警产品', nameEn: 'fire alarm products', categories: ['smoke_alarm'] },
  { code: '1807', nameZh: '灭火器', nameEn: 'fire extinguishers', categories: ['fire_extinguisher'] },
  { code: '2101', nameZh: '家用燃气灶具', nameEn: 'domestic gas cookers', categories: ['gas_stove'] },
  { code: '2102', nameZh: '家用燃气快速热水器', nameEn: 'domestic gas instantaneous water heaters', categories: ['gas_water_heater'] },
  { code: '2201', nameZh: '童车', nameEn: 'children\'s carriages and bicycles', categories: ['stroller', 'kids_bicycle', 'toy_ride_on'] },
  { code: '2202', nameZh: '电玩具', nameEn: 'electric toys', categories: ['electric_toy', 'toy_electric'] },
  { code: '2203', nameZh: '塑胶玩具', nameEn: 'plastic toys', categories: ['plastic_toy', 'toy', 'toy_plastic'] },
  { code: '2204', nameZh: '金属玩具', nameEn: 'metal toys', categories: ['metal_toy'] },
  { code: '2206', nameZh: '娃娃玩具', nameEn: 'dolls', categories: ['doll'] },
];

export interface LicenceProduct {
  /** Product name as licences write it (Licence.product is compared against these). */
  readonly nameZh: readonly string[];
  /** Industry (2) + product (3) digits of the licence number ('06-001'), when known; else only names are compared. */
  readonly codes: readonly string[];
  readonly nameEn: string;
  readonly categories: readonly string[];
}

/** Products under the production-licence regime (2024 list: 14 categories / 27 products; the ones listings sell). */
export const LICENCE_PRODUCTS: readonly LicenceProduct[] = [
  { nameZh: ['电线电缆'], nameEn: 'wires and cables', codes: ['06-001'], categories: ['electric_wire', 'cable'] },
  { nameZh: ['安全帽'], nameEn: 'safety helmets', codes: [], categories: ['safety_helmet'] },
  { nameZh: ['瓶装液化石油气调压阀', '液化石油气调压阀', '调压阀'], nameEn: 'bottled LPG regulators', codes: ['17-002'], categories: ['lpg_regulator'] },
  { nameZh: ['钢丝绳'], nameEn: 'steel wire rope', codes: [], categories: ['steel_wire_rope'] },
  { nameZh: ['水泥'], nameEn: 'cement', codes: [], categories: ['cement'] },
  { nameZh: ['人造板', '胶合板'], nameEn: 'wood-based panels, plywood', codes: [], categories: ['plywood'] },
  { nameZh: ['危险化学品'], nameEn: 'hazardous chemicals', codes: [], categories: ['hazardous_chemical'] },
  { nameZh: ['化肥', '肥料'], nameEn: 'fertilisers', codes: ['13-001'], categories: ['fertilizer'] },
  { nameZh: ['食品相关产品', '食品用塑料包装容器工具', '食品用纸包装容器', '餐具洗涤剂'], nameEn: 'food-contact products', codes: ['16-204', '16-205'], categories: ['food_container', 'baby_bottle', 'dish_detergent'] },
];

const cccByCategory = new Map<string, string[]>();
const cccByCode = new Map<string, CccProduct>();
for (const p of CCC_PRODUCTS) {
  cccByCode.set(p.code, p);
  for (const c of p.categories) cccByCategory.set(c, [...(cccByCategory.get(c) ?? []), p.code]);
}
const licenceByCategory = new Map<string, LicenceProduct>();
for (const p of LICENCE_PRODUCTS) for (const c of p.categories) licenceByCategory.set(c, p);

/** CCC product codes that cover a listing category ('power_bank' -> ['0915']; '0701' -> ['0701']); [] if none. */
export function cccCodesForCategory(category: string | null | undefined): string[] {
  if (!category) return [];
  if (/^\d{4}$/.test(category)) return [category];
  return cccByCategory.get(category) ?? [];
}

/** Whether selling this category requires a CCC certificate. */
export function cccRequired(category: string | null | undefined): boolean {
  return cccCodesForCategory(category).length > 0;
}

export function cccProduct(code: string): CccProduct | undefined {
  return cccByCode.get(code);
}

/** The licence product for a listing category, when that category needs a production licence. */
export function licenceProductForCategory(category: string | null | undefined): LicenceProduct | undefined {
  return category ? licenceByCategory.get(category) : undefined;
}
