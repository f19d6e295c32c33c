"""Who is on a made-up card: names, companies, titles, contacts and addresses, zh and en."""

from __future__ import annotations

import random

import phonenumbers
from pypinyin import Style, lazy_pinyin

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤常温康施文"
)
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方"]
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉萍海波宁斌浩宇婷雪琳晨思佳子涵欣怡梓轩一鸣凯文博晓东振宏俊峰嘉琪雅"
)

FIRST_EN = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Richard",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Emily",
    "Anna",
    "Lukas",
    "Sophie",
    "Maximilian",
    "Laura",
    "Pierre",
    "Camille",
    "Marco",
    "Giulia",
    "Carlos",
    "Lucia",
    "Oliver",
    "Charlotte",
    "Henrik",
    "Ingrid",
    "Rahul",
    "Priya",
    "Kenji",
    "Yuki",
    "Ahmed",
    "Fatima",
    "Peter",
    "Julia",
    "Martin",
    "Eva",
]
LAST_EN = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Dubois",
    "Laurent",
    "Rossi",
    "Bianchi",
    "Garcia",
    "Martinez",
    "Lopez",
    "Andersson",
    "Johansson",
    "Nielsen",
    "Sharma",
    "Patel",
    "Tanaka",
    "Suzuki",
    "Hassan",
    "Novak",
    "Kowalski",
    "Van Dijk",
    "O'Brien",
    "Meyer-Lang",
]

CITIES = [
    (
        "上海",
        "Shanghai",
        "021",
        ["浦东新区", "闵行区", "徐汇区", "嘉定区"],
        ["Pudong", "Minhang", "Xuhui", "Jiading"],
    ),
    (
        "北京",
        "Beijing",
        "010",
        ["朝阳区", "海淀区", "丰台区", "大兴区"],
        ["Chaoyang", "Haidian", "Fengtai", "Daxing"],
    ),
    (
        "深圳",
        "Shenzhen",
        "0755",
        ["南山区", "福田区", "宝安区", "龙岗区"],
        ["Nanshan", "Futian", "Bao'an", "Longgang"],
    ),
    (
        "广州",
        "Guangzhou",
        "020",
        ["天河区", "番禺区", "白云区", "黄埔区"],
        ["Tianhe", "Panyu", "Baiyun", "Huangpu"],
    ),
    (
        "杭州",
        "Hangzhou",
        "0571",
        ["西湖区", "滨江区", "余杭区", "萧山区"],
        ["Xihu", "Binjiang", "Yuhang", "Xiaoshan"],
    ),
    (
        "苏州",
        "Suzhou",
        "0512",
        ["工业园区", "吴中区", "相城区", "姑苏区"],
        ["SIP", "Wuzhong", "Xiangcheng", "Gusu"],
    ),
    (
        "宁波",
        "Ningbo",
        "0574",
        ["鄞州区", "北仑区", "江北区", "海曙区"],
        ["Yinzhou", "Beilun", "Jiangbei", "Haishu"],
    ),
    (
        "成都",
        "Chengdu",
        "028",
        ["高新区", "武侯区", "锦江区", "青羊区"],
        ["Gaoxin", "Wuhou", "Jinjiang", "Qingyang"],
    ),
]
CORES = [
    "华创",
    "恒达",
    "瑞丰",
    "博远",
    "鑫源",
    "中科",
    "天合",
    "星辰",
    "联众",
    "信达",
    "永盛",
    "嘉禾",
    "宏图",
    "金桥",
    "海纳",
    "东方红",
    "汇通",
    "蓝海",
    "德力",
    "凯隆",
]
INDUSTRIES = [
    ("科技", "Technology"),
    ("贸易", "Trading"),
    ("电子", "Electronics"),
    ("机械", "Machinery"),
    ("实业", "Industrial"),
    ("包装", "Packaging"),
    ("新材料", "New Materials"),
    ("智能装备", "Intelligent Equipment"),
    ("物流", "Logistics"),
    ("医疗器械", "Medical Devices"),
    ("纺织", "Textile"),
    ("化工", "Chemical"),
    ("照明", "Lighting"),
    ("汽车配件", "Auto Parts"),
]
ZH_SUFFIXES = [
    ("有限公司", "Co., Ltd."),
    ("股份有限公司", "Co., Ltd."),
    ("集团有限公司", "Group Co., Ltd."),
    ("集团", "Group"),
]
WEST_WORDS = [
    "Nordic",
    "Alpine",
    "Bright",
    "Summit",
    "Vertex",
    "Harbor",
    "Atlas",
    "Crescent",
    "Pioneer",
    "Evergreen",
    "Silverline",
    "Redwood",
    "Bluewave",
    "Keystone",
]
WEST_SUFFIXES = [
    ("GmbH", "de", "+49"),
    ("Inc.", "com", "+1"),
    ("LLC", "com", "+1"),
    ("Ltd.", "co.uk", "+44"),
    ("AG", "ch", "+41"),
    ("Corp.", "com", "+1"),
    ("S.A.", "fr", "+33"),
    ("B.V.", "nl", "+31"),
    ("Pte. Ltd.", "sg", "+65"),
    ("Limited", "com.hk", "+852"),
]

TITLES = [
    ("销售经理", "Sales Manager"),
    ("销售总监", "Sales Director"),
    ("总经理", "General Manager"),
    ("副总经理", "Deputy General Manager"),
    ("采购经理", "Purchasing Manager"),
    ("市场总监", "Marketing Director"),
    ("技术总监", "Technical Director"),
    ("研发工程师", "R&D Engineer"),
    ("董事长", "Chairman"),
    ("首席执行官", "Chief Executive Officer"),
    ("项目经理", "Project Manager"),
    ("区域经理", "Regional Manager"),
    ("客户经理", "Account Manager"),
    ("产品经理", "Product Manager"),
    ("外贸业务员", "Export Sales Representative"),
    ("财务总监", "Financial Director"),
    ("人力资源经理", "HR Manager"),
    ("高级工程师", "Senior Engineer"),
    ("设计师", "Designer"),
    ("采购总监", "Head of Procurement"),
    ("副总裁", "Vice President"),
    ("业务拓展经理", "Business Development Manager"),
    ("创始人兼首席执行官", "Founder & CEO"),
    ("海外销售主管", "Overseas Sales Supervisor"),
    ("质量经理", "Quality Manager"),
]
DEPARTMENTS = [
    ("国际贸易部", "International Trade Dept."),
    ("销售部", "Sales Department"),
    ("市场部", "Marketing Department"),
    ("研发中心", "R&D Center"),
]
ROADS = [
    ("张江路", "Zhangjiang Road"),
    ("科技园路", "Keji Park Road"),
    ("建国路", "Jianguo Road"),
    ("中山大道", "Zhongshan Avenue"),
    ("文一西路", "Wenyi West Road"),
    ("人民南路", "Renmin South Road"),
    ("振兴路", "Zhenxing Road"),
    ("长江路", "Changjiang Road"),
]
WEST_ADDRESSES = [
    "{n} Market Street, Suite {r}, San Francisco, CA 94103",
    "Friedrichstraße {n}, 10117 Berlin, Germany",
    "{n} King's Road, London SW3 4RP",
    "Bahnhofstrasse {n}, 8001 Zürich",
    "{n} Rue de Rivoli, 75001 Paris",
    "Keizersgracht {n}, 1015 Amsterdam",
    "{n} Orchard Road, #{r}, Singapore 238879",
    "{n} Queen's Road Central, Hong Kong",
]


def pinyin_given(given: str) -> str:
    """A given name in pinyin, one word, capitalised (晓明 -> Xiaoming)."""
    return "".join(lazy_pinyin(given, style=Style.NORMAL)).capitalize()


def pinyin_surname(surname: str) -> str:
    """A surname in pinyin, capitalised."""
    return "".join(lazy_pinyin(surname, style=Style.NORMAL)).capitalize()


def _valid(text: str, region: str = "CN") -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def cn_mobile(rng: random.Random) -> tuple[str, str]:
    """A Chinese mobile number as printed and as E.164."""
    while True:
        prefix = rng.choice(
            [
                "138",
                "139",
                "135",
                "136",
                "150",
                "152",
                "158",
                "186",
                "187",
                "188",
                "177",
                "199",
                "133",
                "189",
            ]
        )
        rest = f"{rng.randrange(10**8):08d}"
        a, b = rest[:4], rest[4:]
        printed = rng.choice(
            [
                f"+86 {prefix} {a} {b}",
                f"{prefix}-{a}-{b}",
                f"{prefix}{a}{b}",
                f"+86-{prefix}-{a}-{b}",
                f"{prefix} {a} {b}",
                f"(+86) {prefix} {a} {b}",
            ]
        )
        e164 = _valid(printed)
        if e164:
            return printed, e164


def cn_landline(rng: random.Random, area: str) -> tuple[str, str]:
    """A Chinese office number in the city's area code, as printed and as E.164."""
    while True:
        digits = 8 if len(area) == 3 else rng.choice([7, 8])
        local = str(rng.randrange(2, 9)) + "".join(
            str(rng.randrange(10)) for _ in range(digits - 1)
        )
        half = len(local) // 2
        printed = rng.choice(
            [
                f"{area}-{local}",
                f"+86 {area[1:]} {local[:half]} {local[half:]}",
                f"({area}) {local[:half]} {local[half:]}",
                f"+86-{area[1:]}-{local}",
                f"{area}-{local[:half]} {local[half:]}",
            ]
        )
        e164 = _valid(printed)
        if e164:
            return printed, e164


def foreign_phone(rng: random.Random, code: str, kind: str = "office") -> tuple[str, str]:
    """A number in another country, international format, as printed and as E.164; an office
    or fax number is never one of the country's mobile numbers."""
    shapes = {
        "+1": lambda: (
            f"+1 ({rng.randrange(201, 990)}) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}"
        ),
        "+49": lambda: (
            f"+49 {rng.choice(['30', '89', '40', '69'])} {rng.randrange(1000000, 99999999)}"
        ),
        "+44": lambda: f"+44 20 {rng.randrange(7000, 8999)} {rng.randrange(10000):04d}",
        "+41": lambda: (
            f"+41 44 {rng.randrange(200, 999)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
        ),
        "+33": lambda: (
            f"+33 1 {rng.randrange(40, 59)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
        ),
        "+31": lambda: f"+31 20 {rng.randrange(200, 799)} {rng.randrange(1000, 9999)}",
        "+65": lambda: (
            f"+65 {rng.choice(['6', '8', '9'])}{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
        ),
        "+852": lambda: (
            f"+852 {rng.choice(['2', '3', '9', '6'])}{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
        ),
    }
    while True:
        printed = shapes[code]()
        e164 = _valid(printed)
        mobile = (
            e164
            and phonenumbers.number_type(phonenumbers.parse(e164))
            == phonenumbers.PhoneNumberType.MOBILE
        )
        if e164 and (kind == "mobile" or not mobile):
            return printed, e164


def person(rng: random.Random, kind: str) -> dict:
    """Everything printed on one person's card; kind is zh, en (a westerner) or bilingual."""
    city_zh, city_en, area, districts_zh, districts_en = rng.choice(CITIES)
    d = rng.randrange(len(districts_zh))
    if kind == "en":
        first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
        word = rng.choice(WEST_WORDS)
        ind = rng.choice(INDUSTRIES)[1]
        suffix, tld, code = rng.choice(WEST_SUFFIXES)
        company = f"{word} {ind} {suffix}"
        domain = f"{word.lower()}-{ind.split()[0].lower()}.{tld}"
        local = rng.choice(
            [f"{first}.{last}", f"{first[0]}{last}", first, f"{first}_{last}"]
        ).lower()
        local = local.replace(" ", "").replace("'", "")
        title = rng.choice(TITLES)[1]
        phones = []
        number = foreign_phone(rng, code)
        phones.append(("office", number))
        if rng.random() < 0.7:
            phones.append(("mobile", foreign_phone(rng, code, "mobile")))
        if rng.random() < 0.3:
            phones.append(("fax", foreign_phone(rng, code, "fax")))
        address = rng.choice(WEST_ADDRESSES).format(
            n=rng.randrange(1, 300), r=rng.randrange(100, 999)
        )
        return {
            "name": {"en": f"{first} {last}"},
            "company": {"en": company},
            "title": {"en": title},
            "email": f"{local}@{domain}",
            "website": f"www.{domain}" if rng.random() < 0.7 else "",
            "phones": phones,
            "address": {"en": address},
            "department": {"en": rng.choice(DEPARTMENTS)[1]},
        }
    surname = rng.choice(COMPOUND) if rng.random() < 0.04 else rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2, 2])))
    core = rng.choice(CORES)
    ind_zh, ind_en = rng.choice(INDUSTRIES)
    suf_zh, suf_en = rng.choice(ZH_SUFFIXES)
    core_py = "".join(lazy_pinyin(core)).capitalize()
    company_zh = (
        f"{city_zh}{core}{ind_zh}{suf_zh}" if rng.random() < 0.7 else f"{core}{ind_zh}{suf_zh}"
    )
    company_en = (
        f"{city_en} {core_py} {ind_en} {suf_en}"
        if company_zh.startswith(city_zh)
        else f"{core_py} {ind_en} {suf_en}"
    )
    title_zh, title_en = rng.choice(TITLES)
    dept_zh, dept_en = rng.choice(DEPARTMENTS)
    given_py, surname_py = pinyin_given(given), pinyin_surname(surname)
    name_en = rng.choice(
        [f"{given_py} {surname_py}", f"{surname_py} {given_py}", f"{surname_py.upper()} {given_py}"]
    )
    domain = f"{core_py.lower()}{rng.choice(['-tech', 'group', '', '-cn'])}.{rng.choice(['com', 'cn', 'com.cn', 'net'])}"
    local = rng.choice(
        [
            f"{given_py}.{surname_py}",
            f"{surname_py}{given_py[0]}",
            f"{surname_py}.{given_py}",
            "sales",
            f"{given_py}{rng.randrange(1, 99)}",
        ]
    ).lower()
    road_zh, road_en = rng.choice(ROADS)
    n, room = rng.randrange(1, 999), rng.randrange(101, 2999)
    tower = rng.choice("ABCD")
    address_zh = f"{city_zh}市{districts_zh[d]}{road_zh}{n}号{rng.choice([f'{tower}座{room}室', f'{room}室', ''])}"
    address_en = (
        f"Room {room}, Tower {tower}, No. {n} {road_en}, {districts_en[d]}, {city_en}, China"
    )
    phones = [("mobile", cn_mobile(rng))]
    if rng.random() < 0.75:
        phones.append(("office", cn_landline(rng, area)))
    if rng.random() < 0.3:
        phones.append(("fax", cn_landline(rng, area)))
    return {
        "name": {"zh": surname + given, "en": name_en},
        "company": {"zh": company_zh, "en": company_en},
        "title": {"zh": title_zh, "en": title_en},
        "email": f"{local}@{domain}",
        "website": f"www.{domain}" if rng.random() < 0.7 else "",
        "phones": phones,
        "address": {"zh": address_zh, "en": address_en},
        "department": {"zh": dept_zh, "en": dept_en},
    }
