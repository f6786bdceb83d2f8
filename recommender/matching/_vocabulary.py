"""Domain vocabulary that is not specific to one city: how business scopes are written.

Chinese business scopes (经营范围) list generic items that say nothing about what a firm makes,
and trade items (销售, 批发, 进出口 …) that say it sells a product without making it. English
profiles of foreign investors use the same two kinds of words. The matcher uses these lists to
ignore generic items and to discard products named only in a trade clause.
"""

from __future__ import annotations

__all__ = ["APPLICATION_OPENERS", "CLAUSE_DELIMITERS", "ENGLISH_ER_VERBS", "EQUIPMENT_HEADS", "GENERIC_TERMS", "INPUT_HEADS", "LEAD_TERMS", "MAKE_TERMS", "NEGATION_BRACKET", "NEGATION_BRACKET_CLOSE", "NEGATION_TERMS", "TRADE_TERMS", "english_forms", "is_agent_noun"]

#: Items present in most registered business scopes; they carry no weight.
GENERIC_TERMS: tuple[str, ...] = (
    "技术开发", "技术咨询", "技术服务", "技术转让", "技术推广", "技术交流", "技术进出口",
    "货物进出口", "进出口业务", "一般项目", "许可项目", "依法须经批准的项目",
    "经相关部门批准后方可开展经营活动", "凭营业执照依法自主开展经营活动", "信息咨询服务",
    "企业管理咨询", "商务信息咨询", "会议及展览服务", "市场营销策划", "软件开发",
    "信息技术咨询服务", "专业设计服务", "办公用品", "日用百货", "五金交电", "非居住房地产租赁",
    "住房租赁", "物业管理", "广告制作", "广告发布", "广告设计", "互联网销售",
    "technical consulting", "technology development", "import and export", "general trading",
    "以自有资金从事投资活动", "自有资金投资的资产管理服务", "普通货物仓储服务", "国内货物运输代理",
    # the catalogue's storage item for chilled and frozen goods (经营范围规范表述目录 低温仓储（不含危险化学品等
    # 需许可审批的项目）, GB/T 4754-2017 5930): food makers and farm-produce traders list it for their own
    # goods, as they list 普通货物仓储服务; a cold-chain operator names its trade in words of its own
    "低温仓储",
    "科技中介服务", "知识产权服务", "财务咨询", "社会经济咨询服务", "信息系统集成服务",
    "通用设备修理", "专用设备修理", "电气设备修理", "仪器仪表修理",
    # the catalogue's permit item for testing (经营范围规范表述目录 检验检测服务, 检验检测机构资质认定管理办法):
    # makers register it for the laboratory that tests their own products; a testing firm names its
    # trade in words of its own (第三方检测, 检测认证, 计量校准, 无损检测 …)
    "检验检测服务",
    # a maker's sales channel, named as a noun: not a trade of its own
    "经销网络", "销售网络", "营销网络", "经销商网络", "销售渠道", "营销渠道", "分销网络",
    "sales network", "distribution network", "dealer network", "sales channels", "distribution channels",
    # equipment named by the activity it serves: a noun, not the firm's activity
    "test bench", "test benches", "test rig", "test rigs", "test equipment", "testing equipment",
    "检测设备", "测试设备", "检测仪器", "测试台",
    # a function a product performs, named by a test word (a vision system or an algorithm finds
    # defects): what the product does, not the firm's testing service (GB/T 4754-2017 7452 检测服务
    # tests others' products and names itself so: 检测服务, 无损检测)
    "缺陷检测", "瑕疵检测", "缺陷识别", "defect detection", "defect inspection",
)

#: Words that mark a clause as the firm's main business: its link terms weigh fully, and the
#: other clauses of the description weigh as secondary items. (许可项目, the licensed items of
#: a registered scope, is not one: a permit item is often secondary, 危险废物经营, 道路货物运输.)
LEAD_TERMS: tuple[str, ...] = (
    "主营", "主要从事", "主要产品", "主要业务", "主营业务", "主营产品", "主要设备", "主要服务",
    "专注于", "专业从事", "核心业务", "主导产品",
    "main business", "core business", "specialises in", "specializes in", "specialized in",
    "specialised in", "focuses on", "focused on", "leading maker", "leading manufacturer",
)

#: Words that open what a product is for (its applications, its customers' products): the words
#: after them, to the end of the clause, weigh as secondary items (碳纤维预浸料，用于无人机机身).
#: English "for …" is not one: English profiles name the product's trade by its use (foil for
#: Li-ion anodes), and a bare "for" opens purposes of every kind.
APPLICATION_OPENERS: tuple[str, ...] = ("用于", "应用于", "适用于", "广泛用于", "主要用于", "广泛应用于", "可用于")
#: Head nouns that make the word before them name equipment for it (化成分容设备, 锂电池生产设备,
#: food machinery): what the firm makes is the equipment, not what the equipment makes. A bare 机
#: or "machine" is not one (豆浆机, coffee machine name appliances by what they make).
EQUIPMENT_HEADS: tuple[str, ...] = (
    "设备", "装备", "机械", "生产设备", "制造设备", "专用设备", "检测设备", "测试设备", "自动化设备", "成套设备",
    "生产装备", "制造装备", "智能装备", "生产线设备", "检测仪器", "测试台",
    "equipment", "machinery", "production equipment", "manufacturing equipment", "test equipment",
    "testing equipment", "test bench", "test benches", "test rig", "test rigs", "production machinery",
)

#: Head nouns that make the word before them name what a supplied input is for (脱墨剂, 造纸助剂,
#: de-inking chemicals), as 用 does in Chinese (车用电池): the firm makes the input (a chemical
#: agent), not the process or product it serves, so that word weighs as a secondary item (GB/T
#: 4754-2017 classes the makers by the input: 2661 化学试剂和助剂制造, 2669 专用化学产品制造). A head
#: inside a term of the map (发酵剂, 水处理剂, water treatment chemicals) is the term's own: the
#: longer term is read first. Additives are left out (the word before them as often names what
#: they are made of, probiotic feed additives), and so is consulting (it names a service link's
#: own trade, industrial design consultancy, and is read as the consult activity elsewhere).
INPUT_HEADS: tuple[str, ...] = (
    "剂", "助剂", "化学品", "药剂",
    "chemicals", "chemical", "auxiliaries", "reagents", "surfactants",
)

#: Words that mark a clause as selling, not making (the trade rule).
TRADE_TERMS: tuple[str, ...] = (
    "销售", "批发", "零售", "贸易", "进出口", "经销", "代理", "代销", "分销", "采购", "租赁",
    "sale", "sales", "sell", "sells", "selling", "seller", "distributor", "distributors",
    "distribution", "distributes", "distribute", "wholesale", "wholesaler", "retail", "retailer",
    "trading", "trader", "trade", "import", "imports", "importer", "reseller", "resell", "agent",
    "agency", "sourcing",
)

#: Words that mark a clause as making, processing or serving (they override the trade rule).
MAKE_TERMS: tuple[str, ...] = (
    "制造", "生产", "加工", "研发", "研制", "设计", "回收", "拆解", "再生", "利用", "处理",
    "冶炼", "铸造", "组装", "装配", "制备", "提炼", "精炼", "开发", "制作", "建设", "运营",
    "manufacture", "manufactures", "manufacturer", "manufacturers", "manufacturing", "produce",
    "produces", "producer", "producing", "production", "maker", "makes", "make", "fabricate",
    "fabricates", "fabrication", "develop", "develops", "developer", "developing", "design",
    "designs", "designer", "recycling", "recycle", "recycles", "recycler", "processing",
    "processor", "refine", "refines", "refining", "assembly", "assembles", "oem", "foundry",
    "operate", "operates", "operator",
)

#: Words that open a bracketed exclusion of a registered scope item (再生资源回收（除生产性废旧金属）,
#: 普通货物仓储服务（不含危险化学品）): the words inside the bracket are not the firm's.
NEGATION_BRACKET: tuple[str, ...] = ("除", "不含", "不包括", "不包含", "excluding", "except")
#: Words that close one (知识产权服务（专利代理服务除外）, the catalogue's …除外 wording).
NEGATION_BRACKET_CLOSE: tuple[str, ...] = ("除外",)

#: Words that deny the activity after them, to the end of the clause (it does not manufacture).
NEGATION_TERMS: tuple[str, ...] = (
    "不从事", "不涉及", "不参与", "不生产", "不制造", "无自有", "无生产", "没有生产", "并非",
    "does not", "do not", "doesn't", "doesn’t", "did not", "does no", "has no", "owns no",
    "operates no", "without", "never", "not a", "nor",
)

#: Characters that end a clause of a business scope or profile. In English, ", and " opens another
#: verb phrase (…, and publishes a salary guide) or ends a list whose clause borrows the sentence's activity.
CLAUSE_DELIMITERS: tuple[str, ...] = ("；", ";", "。", "，", "\n", "\r", "｜", "|", "．", ". ", ", and ")


#: English verbs of business text that end in -er or -or but are not agent nouns: they are
#: inflected like other verbs (recovers, recovered, recovering), and their -s form is the firm's
#: own activity, not a plural naming other firms.
ENGLISH_ER_VERBS: frozenset[str] = frozenset({
    "recover", "deliver", "engineer", "offer", "filter", "render", "order", "cover", "monitor",
    "tender", "gather", "master", "partner", "lower", "register", "alter", "enter", "transfer",
    "shelter", "foster", "cater", "tailor", "mentor", "sponsor", "pioneer", "power", "discover",
    "smelter",
} - {"smelter"})


def is_agent_noun(word: str) -> bool:
    """Whether an English word ends in an agent suffix (-er, -or, -ist, -ant: maker, distributor,
    consultant) and is not one of the :data:`ENGLISH_ER_VERBS` (recover, deliver, engineer)."""
    low = word.lower()
    return low.endswith(("er", "or", "ist", "ant")) and low not in ENGLISH_ER_VERBS


def english_forms(word: str) -> tuple[str, ...]:
    """A base English word or phrase and its inflected forms (the first word inflected):
    ``recycle`` → recycles, recycled, recycling, recycler; ``invest in`` → invests in, invested
    in, investing in …; a word that is not plain ASCII letters comes back alone. Plural agent
    nouns (recyclers, makers) are left out: they name other firms, often customers."""
    head, _, rest = word.partition(" ")
    if not (head.isascii() and head.isalpha() and len(head) >= 3):
        return (word,)
    low = head.lower()
    if is_agent_noun(low):  # an agent noun: its plural names other firms
        return (word,)
    if low.endswith("e"):
        stems = [low, low + "s", low + "d", low[:-1] + "ing", low + "r"]
    elif low.endswith("y") and low[-2] not in "aeiou":
        stems = [low, low[:-1] + "ies", low[:-1] + "ied", low + "ing", low[:-1] + "ier"]
    else:
        stems = [low, low + "s", low + "es", low + "ed", low + "ing", low + "er"]
    tail = f" {rest}" if rest else ""
    return tuple(dict.fromkeys(stem + tail for stem in stems))
