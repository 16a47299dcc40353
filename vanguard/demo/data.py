"""The raw material of the demo: the seed documents' organisations, streets and communities, and the
vocabulary people are made of (surnames, given-name characters, occupations, strengths).

Kept apart from builder.py so that the builder reads as a list of steps and this as a list of facts.
"""

from __future__ import annotations

from vanguard.org.models import Cell, Organisation

K = Organisation.Kind
C = Cell.Kind

# A tree is (name, kind, children) or, for cells, (name, kind, children, community_type).
OrgSpec = tuple[str, str, list["OrgSpec"]]
CellSpec = tuple  # (name, kind, children[, community_type]); recursive tuples do not type well

# Seed 000: 华北油田华盛综合服务处 — 第一物业服务站党支部 and 第一社区服务站党总支 run 华盛一区's zones.
HUASHENG_ORG = "华北油田华盛综合服务处党委"
HUASHENG_PROPERTY_BRANCH = "第一物业服务站党支部"
HUASHENG_GENERAL_BRANCH = "第一社区服务站党总支"
HUASHENG_IN_SERVICE_BRANCH = "社区服务站在职党支部"
HUASHENG_RETIRED_BRANCH = "社区服务站离退休党支部"

# Seed 001: a bus company's party committee, a branch per 分公司 and the 机关, a group per 车队.
BUS_ORG = "市公交公司党委"
BUS_SUBSIDIARIES = ["第一分公司", "第二分公司", "第三分公司", "第四分公司"]
BUS_FLEETS = ["第一车队", "第二车队"]
BUS_OFFICE_BRANCH = "机关党支部"
# 机关党小组 → the offices its members sit in.
BUS_OFFICE_GROUPS = {"综合党小组": ["党委办公室", "财务科"], "业务党小组": ["安全技术科", "营运调度科"]}
# Three routes per 车队, in the order the fleets are built.
BUS_ROUTES = [
    "1路", "2路", "5路", "8路", "12路", "15路",
    "3路", "6路", "10路", "16路", "18路", "21路",
    "4路", "7路", "11路", "23路", "25路", "31路",
    "9路", "14路", "20路", "36路", "K1路", "游1路",
]  # fmt: skip
BUS_TEAMS = ["维修班组", "调度班组"]

# Seed 003: 东风街道 and its seven communities, each with its own character (社区类型).
STREET = "东风街道"
STREET_ORG = "东风街道党工委"
COMMUNITIES: list[tuple[str, str, str, list[str]]] = [
    # (community, type, its party organisation's kind, its estates)
    ("公园社区", Cell.CommunityType.CULTURE, K.COMMITTEE, ["公园里小区", "文苑小区"]),
    ("新风社区", Cell.CommunityType.REEMPLOYMENT, K.GENERAL_BRANCH, ["新风小区", "新华里小区"]),
    ("南园社区", Cell.CommunityType.LEARNING, K.COMMITTEE, ["南园小区", "书香苑"]),
    ("钢铁社区", Cell.CommunityType.JOINT, K.COMMITTEE, ["钢铁小区", "冶金苑"]),
    ("安民社区", Cell.CommunityType.SAFETY, K.GENERAL_BRANCH, ["安民小区", "平安里"]),
    ("春光社区", Cell.CommunityType.ENVIRONMENT, K.GENERAL_BRANCH, ["春光小区", "绿景苑"]),
    ("东晶社区", Cell.CommunityType.SCIENCE, K.COMMITTEE, ["东晶小区", "科苑小区"]),
]
BUILDINGS_PER_ESTATE = 3

# The grid of 华盛: the workplace (unit → 华盛一区 → stations → teams/posts) and the residential area
# with the three zones of seed 000 as public areas.
HUASHENG_UNIT = "华北油田华盛综合服务处"
HUASHENG_AREA = "华盛一区"
HUASHENG_COMMUNITY = "华盛一区社区"
HUASHENG_PROPERTY_STATION = "第一物业服务站"
HUASHENG_PROPERTY_TEAMS = ["绿化班组", "保洁班组", "维修班组"]
HUASHENG_COMMUNITY_STATION = "第一社区服务站"
HUASHENG_COMMUNITY_POSTS = ["综合服务岗", "党群服务岗", "便民服务岗"]
HUASHENG_ESTATES = {"怡馨园": 4, "同心苑": 3}
HUASHENG_PUBLIC_AREAS = ["同心广场绿化工作区", "怡馨园绿化工作区", "中心路美化工作区"]

BUS_COMPANY = "市公交公司"
BUS_HEAD_OFFICE = "公司机关"


def organisation_trees() -> list[OrgSpec]:
    bus_branches: list[OrgSpec] = [
        (f"{sub}党支部", K.BRANCH, [(f"{fleet}党小组", K.GROUP, []) for fleet in BUS_FLEETS])
        for sub in BUS_SUBSIDIARIES
    ]
    bus_branches.append((BUS_OFFICE_BRANCH, K.BRANCH, [(group, K.GROUP, []) for group in BUS_OFFICE_GROUPS]))
    return [
        (
            HUASHENG_ORG,
            K.COMMITTEE,
            [
                (HUASHENG_PROPERTY_BRANCH, K.BRANCH, []),
                (
                    HUASHENG_GENERAL_BRANCH,
                    K.GENERAL_BRANCH,
                    [(HUASHENG_IN_SERVICE_BRANCH, K.BRANCH, []), (HUASHENG_RETIRED_BRANCH, K.BRANCH, [])],
                ),
            ],
        ),
        (BUS_ORG, K.COMMITTEE, bus_branches),
        (
            STREET_ORG,
            K.WORKING_COMMITTEE,
            [
                (
                    f"{name}{'党委' if kind == K.COMMITTEE else '党总支'}",
                    kind,
                    [(f"{name}第一党支部", K.BRANCH, [])],
                )
                for name, _type, kind, _estates in COMMUNITIES
            ],
        ),
    ]


def _buildings(count: int) -> list[CellSpec]:
    return [(f"{n}号楼", C.BUILDING, []) for n in range(1, count + 1)]


def grid_trees() -> list[CellSpec]:
    routes = iter(BUS_ROUTES)
    subsidiaries: list[CellSpec] = [
        (
            sub,
            C.SUBSIDIARY,
            [
                (
                    fleet,
                    C.DEPARTMENT,
                    [(next(routes), C.LINE, []) for _ in range(3)] + [(t, C.TEAM, []) for t in BUS_TEAMS],
                )
                for fleet in BUS_FLEETS
            ],
        )
        for sub in BUS_SUBSIDIARIES
    ]
    offices = [office for offices in BUS_OFFICE_GROUPS.values() for office in offices]
    subsidiaries.append((BUS_HEAD_OFFICE, C.DEPARTMENT, [(o, C.POST, []) for o in offices]))
    return [
        (
            HUASHENG_UNIT,
            C.UNIT,
            [
                (
                    HUASHENG_AREA,
                    C.DEPARTMENT,
                    [
                        (
                            HUASHENG_PROPERTY_STATION,
                            C.DEPARTMENT,
                            [(t, C.TEAM, []) for t in HUASHENG_PROPERTY_TEAMS],
                        ),
                        (
                            HUASHENG_COMMUNITY_STATION,
                            C.DEPARTMENT,
                            [(p, C.POST, []) for p in HUASHENG_COMMUNITY_POSTS],
                        ),
                    ],
                )
            ],
        ),
        (
            HUASHENG_AREA,
            C.STREET,
            [
                (
                    HUASHENG_COMMUNITY,
                    C.COMMUNITY,
                    [(e, C.ESTATE, _buildings(n)) for e, n in HUASHENG_ESTATES.items()]
                    + [(a, C.PUBLIC_AREA, []) for a in HUASHENG_PUBLIC_AREAS],
                )
            ],
        ),
        (BUS_COMPANY, C.COMPANY, subsidiaries),
        (
            STREET,
            C.STREET,
            [
                (name, C.COMMUNITY, [(e, C.ESTATE, _buildings(BUILDINGS_PER_ESTATE)) for e in estates], ctype)
                for name, ctype, _kind, estates in COMMUNITIES
            ],
        ),
    ]


# Surnames with rough weights from the national frequency tables: 王李张刘陈 carry a third of people.
SURNAMES: dict[str, int] = {
    "王": 72, "李": 70, "张": 68, "刘": 54, "陈": 45, "杨": 31, "赵": 23, "黄": 22, "周": 21, "吴": 20,
    "徐": 17, "孙": 15, "胡": 13, "朱": 13, "高": 12, "林": 12, "何": 12, "郭": 11, "马": 11, "罗": 9,
    "梁": 8, "宋": 8, "郑": 8, "谢": 7, "韩": 7, "唐": 7, "冯": 7, "于": 6, "董": 6, "肖": 5,
    "程": 5, "曹": 5, "袁": 5, "邓": 5, "许": 5, "傅": 4, "沈": 4, "曾": 4, "彭": 4, "吕": 4,
    "苏": 4, "卢": 4, "蒋": 4, "蔡": 4, "贾": 4, "丁": 3, "魏": 3, "薛": 3, "叶": 3, "阎": 3,
    "余": 3, "潘": 3, "杜": 3, "戴": 3, "夏": 3, "钟": 3, "汪": 3, "田": 3, "任": 3, "姜": 3,
    "范": 3, "方": 3, "石": 3, "姚": 3, "谭": 2, "廖": 2, "邹": 2, "熊": 2, "金": 2, "陆": 2,
    "郝": 2, "孔": 2, "白": 2, "崔": 2, "康": 2, "毛": 2, "邱": 2, "秦": 2, "江": 2, "史": 2,
    "顾": 2, "侯": 2, "邵": 2, "孟": 2, "龙": 2, "段": 2, "雷": 2, "钱": 2, "汤": 2, "尹": 2,
    "常": 2, "武": 2, "乔": 2, "贺": 2, "耿": 2, "牛": 2, "闫": 2, "庞": 1, "穆": 1, "葛": 1,
}  # fmt: skip


def _words(text: str) -> list[str]:
    return text.split()


# Given names by the decades people were born in, since names follow the times: 建国 and 秀英 are of
# the fifties, 浩宇 and 欣怡 of the nineties. Whole names rather than random characters, which read oddly.
MALE_NAMES_OLD = _words(
    "建国 国庆 卫东 建军 志强 振华 德明 福生 海平 文斌 永明 立新 宝山 建华 国强 红兵 长青 玉山 "
    "树林 金生 德胜 春生 满仓 和平 跃进 学军 向东 卫国 建平 庆丰 明 军 华 勇 刚 平 林 斌"
)
MALE_NAMES_NEW = _words(
    "伟 磊 勇 杰 涛 超 鹏 浩 宇 斌 晨阳 俊杰 志鹏 晓东 文博 浩然 宇航 子轩 建伟 海涛 志刚 "
    "立伟 振宇 明轩 嘉豪 天宇 博文 凯 旭东 鑫 思远 亚东 晓峰 永强 国栋 宏伟 东升 建新"
)
FEMALE_NAMES_OLD = _words(
    "秀英 桂兰 玉珍 凤英 淑芬 丽华 素梅 秀兰 桂芳 春梅 玉兰 翠英 秀珍 淑珍 凤兰 桂英 玉梅 "
    "金凤 素珍 淑华 秀云 玉华 桂珍 春兰 月娥 琴 芳 霞 红 英"
)
FEMALE_NAMES_NEW = _words(
    "敏 静 丽 娟 燕 艳 芳 婷 雪 慧 晓燕 丽娜 婷婷 雅琪 欣怡 佳怡 思雨 梦瑶 晓丽 海燕 春燕 "
    "红梅 丽萍 晓红 雅静 文静 玉洁 美玲 晓雪 佳慧 瑞雪 诗涵 雨欣 秋月 彩霞 莉莉 晶晶 秀梅"
)

# Hebei county codes for the first six digits of an identity number: 任丘 for the oil field, the
# city's districts for the bus company and the street; migrants (流动党员) come from further away.
REGION_OILFIELD = ["130982"]
REGION_CITY = ["130102", "130104", "130105", "130108"]
REGION_ELSEWHERE = ["410102", "370102", "140105", "130682", "131102"]

MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "198", "199",
]  # fmt: skip

# Occupation → the strengths such a person most likely offers the community (知人数、知职业、知优势).
OCCUPATION_STRENGTHS: dict[str, list[str]] = {
    "驾驶员": ["驾驶", "维修", "体育健身", "文艺"],
    "维修工": ["维修", "家电维修", "水电维修"],
    "调度员": ["电脑", "宣传写作"],
    "安全员": ["安全防范", "急救"],
    "管理人员": ["宣传写作", "电脑", "调解纠纷"],
    "党务工作者": ["宣传写作", "政策宣传", "书法"],
    "会计": ["财务咨询", "电脑"],
    "工程师": ["电脑", "维修"],
    "绿化工": ["绿化养护"],
    "保洁员": ["家政服务", "绿化养护"],
    "物业管理员": ["水电维修", "调解纠纷"],
    "社区工作者": ["政策宣传", "调解纠纷", "电脑"],
    "教师": ["儿童教育", "书法", "文艺"],
    "医生": ["医疗保健", "急救", "心理咨询"],
    "护士": ["医疗保健", "急救"],
    "警察": ["法律咨询", "安全防范"],
    "律师": ["法律咨询", "调解纠纷"],
    "个体经营者": ["烹饪", "理发"],
    "退休职工": ["书法", "文艺", "棋类", "太极拳"],
    "退休教师": ["书法", "儿童教育", "文艺"],
    "保安": ["安全防范", "体育健身"],
    "灵活就业人员": ["家政服务", "烹饪"],
    "家庭主妇": ["烹饪", "家政服务", "文艺"],
}
GENERAL_STRENGTHS = ["文艺", "书法", "摄影", "烹饪", "体育健身", "电脑"]

# Occupations of the people of 东风街道's communities, by their member category.
COMMUNITY_IN_SERVICE_JOBS = ["教师", "医生", "护士", "警察", "律师", "会计", "工程师", "社区工作者"]
COMMUNITY_RETIRED_JOBS = ["退休职工", "退休职工", "退休教师"]
SPECIAL_JOBS = {
    "floating": ["个体经营者", "灵活就业人员"],
    "released": ["灵活就业人员", "保安"],
    "dependant": ["家庭主妇"],
    "veteran": ["保安", "社区工作者"],
}
RESIDENT_JOBS = ["个体经营者", "退休职工", "灵活就业人员", "教师", "会计", "护士", "保安", "家庭主妇"]
