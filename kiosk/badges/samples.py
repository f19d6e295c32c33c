"""Sample people for previews and benchmarks: Latin, Chinese and very long names."""

SAMPLES = (
    ("Anna Müller", "Nordwind Maschinenbau GmbH", "Head of Procurement"),
    ("张伟", "上海精密机械有限公司", "采购经理"),
    (
        "欧阳娜娜·阿不都热合曼·买买提明",
        "中国国际电子信息产业集团深圳分公司华南区域销售中心",
        "区域销售总监",
    ),
    (
        "Maximilian Alexander Konstantin von Hohenzollern-Sigmaringen",
        "International Consolidated Precision Engineering Holdings Limited",
        "Senior Vice President, Global Strategic Sourcing and Supplier Development",
    ),
)
