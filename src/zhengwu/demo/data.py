"""The demo province: 吉林省, its provincial departments (names as in the seed documents) and
some city departments. Credit codes are synthetic but valid (GB 32100 + GB 11714 checks)."""

from __future__ import annotations

# (name, short name, account prefix)
PROVINCIAL_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("吉林省人民政府办公厅", "省政府办公厅", "bgt"),
    ("吉林省发展和改革委员会", "省发展改革委", "fgw"),
    ("吉林省教育厅", "省教育厅", "jyt"),
    ("吉林省科学技术厅", "省科技厅", "kjt"),
    ("吉林省工业和信息化厅", "省工业和信息化厅", "gxt"),
    ("吉林省公安厅", "省公安厅", "gat"),
    ("吉林省民政厅", "省民政厅", "mzt"),
    ("吉林省司法厅", "省司法厅", "sft"),
    ("吉林省财政厅", "省财政厅", "czt"),
    ("吉林省人力资源和社会保障厅", "省人力资源社会保障厅", "rst"),
    ("吉林省自然资源厅", "省自然资源厅", "zrzyt"),
    ("吉林省生态环境厅", "省生态环境厅", "sthjt"),
    ("吉林省住房和城乡建设厅", "省住房城乡建设厅", "zjt"),
    ("吉林省交通运输厅", "省交通运输厅", "jtt"),
    ("吉林省水利厅", "省水利厅", "slt"),
    ("吉林省农业农村厅", "省农业农村厅", "nynct"),
    ("吉林省商务厅", "省商务厅", "swt"),
    ("吉林省文化和旅游厅", "省文化和旅游厅", "whlyt"),
    ("吉林省卫生健康委员会", "省卫生健康委", "wjw"),
    ("吉林省退役军人事务厅", "省退役军人事务厅", "tyjrt"),
    ("吉林省应急管理厅", "省应急管理厅", "yjt"),
    ("吉林省审计厅", "省审计厅", "sjt"),
    ("吉林省市场监督管理厅", "省市场监管厅", "scjgt"),
    ("吉林省广播电视局", "省广电局", "gdj"),
    ("吉林省体育局", "省体育局", "tyj"),
    ("吉林省统计局", "省统计局", "tjj"),
    ("吉林省林业和草原局", "省林草局", "lcj"),
    ("吉林省医疗保障局", "省医保局", "ybj"),
    ("吉林省能源局", "省能源局", "nyj"),
    ("吉林省政务服务和数字化建设管理局", "省政务服务和数字化局", "zsj"),
]

# City departments of 长春市 (220100) and 吉林市 (220200): (region, name, short name, prefix)
CITY_DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("220100", "长春市政务服务和数字化建设管理局", "长春市政数局", "cc_zsj"),
    ("220100", "长春市市场监督管理局", "长春市市场监管局", "cc_scjgj"),
    ("220100", "长春市公安局", "长春市公安局", "cc_gaj"),
    ("220100", "长春市自然资源局", "长春市自然资源局", "cc_zrzyj"),
    ("220200", "吉林市政务服务和数字化建设管理局", "吉林市政数局", "jl_zsj"),
    ("220200", "吉林市市场监督管理局", "吉林市市场监管局", "jl_scjgj"),
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文辉晓东海燕雪梅丹丹佳怡子涵浩然一鸣思远"

# Jilin county-level area codes used for synthetic residents (GB/T 2260).
RESIDENT_AREAS = ["220102", "220103", "220104", "220105", "220106", "220112", "220202", "220203", "220302", "220402"]

ENTERPRISE_NAMES = [
    "长春一汽富维汽车零部件有限公司",
    "吉林长白山矿泉水有限公司",
    "长春光华微电子设备有限公司",
    "吉林省松花江米业有限公司",
    "延边长白山人参科技有限公司",
    "四平红嘴农业机械有限公司",
    "通化葡萄酒酿造有限公司",
    "白山林海木业有限公司",
    "松原查干湖渔业有限公司",
    "长春净月数字科技有限公司",
]


DEMO_CITIZENS = 20  # citizen01 … citizen20


def demo_person_usernames() -> list[str]:
    """The demo's own people with an ID number (citizens and the companies' agents): the only
    accounts whose names the demo's 人口 base holds. An account a visitor registers is never among
    them: the base has one source, 公安厅 (一数一源), and registration only reads it."""
    citizens = [f"citizen{number:02d}" for number in range(1, DEMO_CITIZENS + 1)]
    return citizens + [f"company{number:02d}" for number in range(1, len(ENTERPRISE_NAMES) + 1)]
