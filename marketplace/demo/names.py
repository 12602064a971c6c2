"""Names for the demo town: people, shops, streets and residential compounds, as used in Taizhou."""
from __future__ import annotations

import random

# The commonest surnames, with Taizhou's own frequent ones (陈, 王, 林, 李, 张, 徐, 郑, 金, 叶, 黄) first.
SURNAMES = ("陈", "王", "林", "李", "张", "徐", "郑", "金", "叶", "黄", "杨", "吴", "周", "赵", "刘", "蒋", "朱",
            "应", "潘", "许", "何", "卢", "罗", "梁", "谢", "蔡", "胡", "方", "阮", "戴", "鲍", "管", "章", "泮")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
         "平", "刚", "桂英", "建华", "海燕", "志强", "丽娟", "晓东", "春梅", "国庆", "建军", "小红", "文斌", "永康",
         "雪梅", "佳怡", "子涵", "浩然", "梓萱", "一诺", "欣怡", "宇轩", "晨曦", "思远", "海波", "秀英", "益民")

# Shop signs by kind: {s} a surname, {w} a word of good omen, {r} the street.
SHOP_NAME_PATTERNS = {
    "grocery": ("{s}记粮油店", "{w}粮油", "{r}副食品店", "老{s}粮油"),
    "convenience": ("{w}便利店", "{r}便利店", "{s}家便利", "邻里便利店"),
    "fruit": ("{s}记水果", "鲜果{w}", "{r}水果店", "果然鲜"),
    "vegetables": ("{s}家蔬菜", "{r}菜店", "绿源蔬菜", "{w}鲜蔬"),
    "meat": ("{s}记鲜肉", "{r}肉铺", "{w}肉店", "放心肉{s}记"),
    "bakery": ("{w}面包坊", "{s}记糕饼", "麦香烘焙", "{r}面包店"),
    "tea": ("{w}茶饮", "{s}记茶庄", "{r}奶茶", "一杯{w}"),
    "noodles_snacks": ("{s}记面馆", "台州食饼筒{s}记", "{r}小吃", "老{s}麦虾", "{w}面馆"),
    "pharmacy": ("{w}大药房", "{r}药店", "{s}氏药房", "惠民药房"),
    "hardware": ("{s}记五金", "{r}五金店", "{w}五金", "老{s}水电五金"),
    "stationery": ("{w}文具", "{r}文具店", "学子文具", "{s}记书文"),
    "household": ("{w}日杂", "{s}记日用百货", "{r}百货", "家家乐日杂"),
    "phone_accessories": ("{w}手机配件", "{s}记通讯", "{r}数码", "速联手机"),
    "flowers": ("{w}花店", "{s}家花艺", "{r}鲜花", "花语小铺"),
}
LUCKY_WORDS = ("惠民", "鑫鑫", "好运", "万家", "福满", "永兴", "和顺", "兴旺", "吉祥", "丰收", "金源", "康乐",
               "百佳", "华联", "天天", "阳光", "乐购", "诚信", "旺达", "顺发")
SUPPLIER_PATTERNS = ("台州{w}批发", "{d}{w}商贸", "{s}记批发部", "{w}供应链", "{d}{w}食品批发")

COMPOUND_SUFFIXES = ("小区", "花园", "新村", "公寓", "家园", "苑")
COMPOUND_WORDS = ("金茂", "东方", "海门", "白云", "枫林", "锦绣", "景园", "星光", "银泰", "紫阳", "和平", "新城",
                  "滨江", "书香", "翠竹", "梧桐", "春晖", "江南", "阳光", "康平", "耀达", "华府", "中央", "凤凰")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def shop_name(rng: random.Random, category: str, street: str) -> str:
    pattern = rng.choice(SHOP_NAME_PATTERNS[category])
    return pattern.format(s=rng.choice(SURNAMES), w=rng.choice(LUCKY_WORDS), r=street)


def supplier_name(rng: random.Random, district: str) -> str:
    pattern = rng.choice(SUPPLIER_PATTERNS)
    return pattern.format(s=rng.choice(SURNAMES), w=rng.choice(LUCKY_WORDS), d=district)


def compound_name(rng: random.Random) -> str:
    return rng.choice(COMPOUND_WORDS) + rng.choice(COMPOUND_SUFFIXES)
