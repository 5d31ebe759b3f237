/**
 * Characters common in given names, split by the gender they are usually chosen for. A two-character
 * name draws its first character from the gendered or neutral pool and ends with a gendered one,
 * which is how most names read as male or female.
 */
export const MALE_NAME_CHARS: readonly string[] = [
  "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
  "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "龙", "阳", "博", "志", "建", "国",
  "东", "峰", "晨", "亮", "成", "昊", "轩", "睿", "泽", "宏", "振", "毅", "豪", "彬", "海", "德",
];

export const FEMALE_NAME_CHARS: readonly string[] = [
  "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "燕", "红", "梅", "琳", "婷",
  "雪", "慧", "颖", "倩", "洁", "琴", "莉", "萍", "丹", "蕾", "怡", "悦", "璐", "薇", "月", "玉",
  "兰", "凤", "晶", "露", "妍", "瑶", "诗", "涵", "萱", "婧", "琪", "欢", "茜", "媛", "岚", "洋",
];

export const NEUTRAL_NAME_CHARS: readonly string[] = [
  "文", "佳", "嘉", "子", "思", "雨", "晓", "一", "欣", "春", "秋", "安", "宁", "然", "清", "心",
  "林", "新", "永", "家", "梓", "若", "天", "益", "小", "金", "云",
];
