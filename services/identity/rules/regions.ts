/**
 * A curated slice of GB/T 2260 county-level administrative division codes, with a few real roads
 * per city for synthetic addresses. It is deliberately partial: the full table has ~3,000 entries
 * and changes every year, so validation only insists on a known province (PROVINCE_CODES) and uses
 * this table for enrichment. Every code here was checked against the current division list.
 */

export interface Region {
  /** 6-digit GB/T 2260 county-level code, e.g. "110105". */
  code: string;
  /** Province-level name, e.g. "北京市" or "广东省". */
  province: string;
  /** Prefecture-level name; equals the province for the four municipalities. */
  city: string;
  /** County-level name, e.g. "朝阳区" or "古田县". */
  district: string;
}

interface CityBlock {
  province: string;
  city: string;
  /** Real roads in (or running through) the listed districts, for synthetic addresses. */
  streets: readonly string[];
  districts: readonly (readonly [code: string, name: string])[];
}

// Grouped by city so the roads travel with the districts they belong to. Where a city's districts
// are separate towns (大庆, 宁德) each gets its own block, so an address never pairs a district
// with a road tens of kilometres away.
const BLOCKS: readonly CityBlock[] = [
  { province: "北京市", city: "北京市", streets: ["长安街", "建国路", "朝阳北路", "中关村大街", "西直门外大街"],
    districts: [["110101", "东城区"], ["110102", "西城区"], ["110105", "朝阳区"], ["110106", "丰台区"], ["110107", "石景山区"], ["110108", "海淀区"]] },
  { province: "天津市", city: "天津市", streets: ["南京路", "卫津路", "解放北路", "黄河道"],
    districts: [["120101", "和平区"], ["120102", "河东区"], ["120103", "河西区"], ["120104", "南开区"], ["120105", "河北区"], ["120106", "红桥区"]] },
  { province: "河北省", city: "石家庄市", streets: ["中山东路", "裕华东路", "建设南大街"],
    districts: [["130102", "长安区"], ["130104", "桥西区"], ["130105", "新华区"], ["130108", "裕华区"]] },
  { province: "山西省", city: "太原市", streets: ["迎泽大街", "五一路", "并州北路"],
    districts: [["140105", "小店区"], ["140106", "迎泽区"], ["140107", "杏花岭区"]] },
  { province: "内蒙古自治区", city: "呼和浩特市", streets: ["新华大街", "中山西路"],
    districts: [["150102", "新城区"], ["150103", "回民区"], ["150105", "赛罕区"]] },
  { province: "辽宁省", city: "沈阳市", streets: ["青年大街", "市府大路", "北陵大街", "中华路"],
    districts: [["210102", "和平区"], ["210103", "沈河区"], ["210104", "大东区"], ["210105", "皇姑区"], ["210106", "铁西区"]] },
  { province: "辽宁省", city: "大连市", streets: ["人民路", "中山路", "长江路"],
    districts: [["210202", "中山区"], ["210203", "西岗区"], ["210204", "沙河口区"]] },
  { province: "吉林省", city: "长春市", streets: ["人民大街", "自由大路", "亚泰大街"],
    districts: [["220102", "南关区"], ["220103", "宽城区"], ["220104", "朝阳区"], ["220105", "二道区"]] },
  { province: "黑龙江省", city: "哈尔滨市", streets: ["中央大街", "红军街", "大直街"],
    districts: [["230102", "道里区"], ["230103", "南岗区"], ["230104", "道外区"]] },
  { province: "黑龙江省", city: "大庆市", streets: ["东风路", "纬二路"], districts: [["230602", "萨尔图区"]] },
  { province: "黑龙江省", city: "大庆市", streets: ["卧里屯大街", "化工路"], districts: [["230603", "龙凤区"]] },
  { province: "黑龙江省", city: "大庆市", streets: ["西宾路", "中原路"], districts: [["230604", "让胡路区"]] },
  { province: "上海市", city: "上海市", streets: ["南京东路", "淮海中路", "四川北路", "肇嘉浜路", "世纪大道"],
    districts: [["310101", "黄浦区"], ["310104", "徐汇区"], ["310105", "长宁区"], ["310106", "静安区"], ["310107", "普陀区"],
      ["310109", "虹口区"], ["310110", "杨浦区"], ["310115", "浦东新区"]] },
  { province: "江苏省", city: "南京市", streets: ["中山路", "中山北路", "汉中路", "中央路", "北京东路"],
    districts: [["320102", "玄武区"], ["320104", "秦淮区"], ["320105", "建邺区"], ["320106", "鼓楼区"]] },
  { province: "江苏省", city: "苏州市", streets: ["人民路", "干将路", "十全街"], districts: [["320508", "姑苏区"]] },
  { province: "浙江省", city: "杭州市", streets: ["延安路", "解放路", "文三路", "天目山路"],
    districts: [["330102", "上城区"], ["330105", "拱墅区"], ["330106", "西湖区"], ["330108", "滨江区"]] },
  { province: "浙江省", city: "宁波市", streets: ["中山西路", "解放南路"], districts: [["330203", "海曙区"]] },
  { province: "安徽省", city: "合肥市", streets: ["长江中路", "金寨路", "徽州大道"],
    districts: [["340102", "瑶海区"], ["340103", "庐阳区"], ["340104", "蜀山区"], ["340111", "包河区"]] },
  { province: "福建省", city: "福州市", streets: ["五四路", "八一七北路", "湖东路"],
    districts: [["350102", "鼓楼区"], ["350103", "台江区"], ["350104", "仓山区"]] },
  { province: "福建省", city: "厦门市", streets: ["中山路", "湖滨南路", "厦禾路"], districts: [["350203", "思明区"], ["350206", "湖里区"]] },
  { province: "福建省", city: "宁德市", streets: ["蕉城南路", "蕉城北路"], districts: [["350902", "蕉城区"]] },
  { province: "福建省", city: "宁德市", streets: ["六一四路", "建设路"], districts: [["350922", "古田县"]] },
  { province: "江西省", city: "南昌市", streets: ["八一大道", "中山路", "阳明路"], districts: [["360102", "东湖区"], ["360103", "西湖区"]] },
  { province: "山东省", city: "济南市", streets: ["泉城路", "经十路", "经七路", "解放路"],
    districts: [["370102", "历下区"], ["370103", "市中区"], ["370104", "槐荫区"], ["370105", "天桥区"], ["370112", "历城区"]] },
  { province: "山东省", city: "青岛市", streets: ["香港中路", "中山路", "延安三路"], districts: [["370202", "市南区"], ["370203", "市北区"]] },
  { province: "河南省", city: "郑州市", streets: ["中原路", "金水路", "花园路", "二七路"],
    districts: [["410102", "中原区"], ["410103", "二七区"], ["410104", "管城回族区"], ["410105", "金水区"]] },
  { province: "湖北省", city: "武汉市", streets: ["解放大道", "中山大道", "中南路", "珞喻路"],
    districts: [["420102", "江岸区"], ["420103", "江汉区"], ["420104", "硚口区"], ["420106", "武昌区"], ["420111", "洪山区"]] },
  { province: "湖南省", city: "长沙市", streets: ["五一大道", "芙蓉中路", "韶山北路", "劳动西路"],
    districts: [["430102", "芙蓉区"], ["430103", "天心区"], ["430104", "岳麓区"], ["430105", "开福区"], ["430111", "雨花区"]] },
  { province: "广东省", city: "广州市", streets: ["天河路", "中山五路", "环市东路", "江南大道中", "东风中路"],
    districts: [["440103", "荔湾区"], ["440104", "越秀区"], ["440105", "海珠区"], ["440106", "天河区"], ["440111", "白云区"]] },
  { province: "广东省", city: "深圳市", streets: ["深南大道", "滨海大道", "华强北路", "南海大道"],
    districts: [["440303", "罗湖区"], ["440304", "福田区"], ["440305", "南山区"], ["440306", "宝安区"], ["440307", "龙岗区"]] },
  { province: "广西壮族自治区", city: "南宁市", streets: ["民族大道", "朝阳路"], districts: [["450102", "兴宁区"], ["450103", "青秀区"]] },
  { province: "海南省", city: "海口市", streets: ["龙昆南路", "海秀中路", "滨海大道"],
    districts: [["460105", "秀英区"], ["460106", "龙华区"], ["460108", "美兰区"]] },
  { province: "重庆市", city: "重庆市", streets: ["民族路", "民生路", "中山三路", "渝州路"],
    districts: [["500103", "渝中区"], ["500105", "江北区"], ["500106", "沙坪坝区"], ["500107", "九龙坡区"], ["500108", "南岸区"], ["500112", "渝北区"]] },
  { province: "四川省", city: "成都市", streets: ["人民南路", "春熙路", "蜀都大道", "一环路"],
    districts: [["510104", "锦江区"], ["510105", "青羊区"], ["510106", "金牛区"], ["510107", "武侯区"], ["510108", "成华区"]] },
  { province: "贵州省", city: "贵阳市", streets: ["中华北路", "遵义路", "宝山北路"], districts: [["520102", "南明区"], ["520103", "云岩区"]] },
  { province: "云南省", city: "昆明市", streets: ["人民中路", "北京路", "东风西路"],
    districts: [["530102", "五华区"], ["530103", "盘龙区"], ["530111", "官渡区"]] },
  { province: "西藏自治区", city: "拉萨市", streets: ["北京中路", "金珠西路"], districts: [["540102", "城关区"]] },
  { province: "陕西省", city: "西安市", streets: ["长安北路", "东大街", "解放路", "雁塔路"],
    districts: [["610102", "新城区"], ["610103", "碑林区"], ["610104", "莲湖区"], ["610113", "雁塔区"]] },
  { province: "甘肃省", city: "兰州市", streets: ["东岗西路", "庆阳路", "张掖路"], districts: [["620102", "城关区"], ["620103", "七里河区"]] },
  { province: "青海省", city: "西宁市", streets: ["长江路", "东关大街"], districts: [["630102", "城东区"], ["630103", "城中区"]] },
  { province: "宁夏回族自治区", city: "银川市", streets: ["解放东街", "北京中路"], districts: [["640104", "兴庆区"], ["640106", "金凤区"]] },
  { province: "新疆维吾尔自治区", city: "乌鲁木齐市", streets: ["人民路", "解放北路", "友好南路"],
    districts: [["650102", "天山区"], ["650103", "沙依巴克区"]] },
];

/** Every region in the table, in GB/T 2260 code order. */
export const REGIONS: readonly Region[] = Object.freeze(
  BLOCKS.flatMap((b) => b.districts.map(([code, district]) => Object.freeze({ code, province: b.province, city: b.city, district })))
    .sort((a, b) => a.code.localeCompare(b.code)),
);

const BY_CODE = new Map<string, Region>(REGIONS.map((r) => [r.code, r]));
const STREETS_BY_CODE = new Map<string, readonly string[]>(
  BLOCKS.flatMap((b) => b.districts.map(([code]) => [code, b.streets] as const)),
);

/**
 * The 2-digit province-level codes in use: the 31 mainland provinces, autonomous regions and
 * municipalities, plus 71 台湾, 81 香港, 82 澳门 (GB/T 2260 assigns them; residents of the
 * latter two can hold mainland-format residence-permit numbers).
 */
export const PROVINCE_CODES: readonly string[] = Object.freeze([
  "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
  "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
  "71", "81", "82",
]);
const PROVINCE_SET = new Set(PROVINCE_CODES);

/** Looks up a 6-digit code in the table; undefined when it is not one of the curated entries. */
export function findRegion(code: string): Region | undefined {
  return BY_CODE.get(code);
}

/** True when the 2-digit code is a province-level division that exists. */
export function isKnownProvince(code2: string): boolean {
  return PROVINCE_SET.has(code2);
}

/** Real roads usable in an address in this region; empty for codes not in the table. */
export function streetsFor(code: string): readonly string[] {
  return STREETS_BY_CODE.get(code) ?? [];
}

/** The address prefix for a region: "北京市朝阳区" for municipalities, else "广东省广州市天河区". */
export function addressPrefix(region: Region): string {
  return region.province === region.city
    ? `${region.city}${region.district}`
    : `${region.province}${region.city}${region.district}`;
}
