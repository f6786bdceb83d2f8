"""Seeded generator of realistic fictional candidate firms, for benchmarks and tests.

:func:`synthetic_firms` returns a table shaped like a cleaned vendor export (the canonical English
column names ``name, description, city, country, industry_code, employees, revenue, founded,
tags, customers, patents``), every cell a string and every gap ``""``. Chinese rows carry a
business scope (经营范围) in the registry's style: 3-8 product or process items of one industry,
2-5 generic items (技术服务、货物进出口, …) and the 一般项目 / 许可项目 framing with its legal
clauses. English rows carry a short company profile, as a foreign investor writes it.

About 10 % of the firms only trade (销售 / 批发 / 进出口, "Distributor of …") and about 5 % are
generic technology shells (技术开发、技术咨询 only): they fill no link of a chain and should rank low.

The phrase table :data:`INDUSTRIES` (about 40 industries, each with 8-20 Chinese product and process
phrases, English phrases, GB/T 4754-2017 classes, licences and typical customers) was written from
how firms describe their own products, independently of any matcher vocabulary, so that a matcher
is tested on language it was not built from. Every firm is fictional; the customers named are real
terminal makers only because vendor exports name them.

Generation is vectorised: random choices are drawn with NumPy over the phrase tables (lengths are
balanced on integer arrays before any text is built), strings are assembled by one ``"".join`` per
row, and short cells (cities, tags, years, …) share one string object per distinct value. One
million rows take about 5 s of CPU and under 1 GB of memory, most of it the descriptions.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from ..scoring._profile import FIELDS

__all__ = ["synthetic_firms", "INDUSTRIES"]

#: The columns written: the canonical profile fields (one table, :mod:`recommender.scoring`).
COLUMNS: tuple[str, ...] = FIELDS

DESC_MIN, DESC_MAX = 100, 300
_MAX_ITEMS, _MAX_GENERIC = 8, 7
_CHUNK = 200_000


class Industry(NamedTuple):
    """One row of :data:`INDUSTRIES`.

    Attributes
    ----------
    label : str
        Chinese name of the industry.
    role : {"maker", "service", "trader", "generic"}
        ``maker`` produces goods, ``service`` sells a service, ``trader`` only sells goods it buys,
        ``generic`` is a technology shell with no product.
    weight : float
        Relative frequency among generated firms.
    name_words : tuple of str
        Words that end a Chinese firm name before 有限公司 (``新材料科技``, ``贸易``).
    items : tuple of str
        Chinese business-scope items: products and processes (8-20).
    en_words : tuple of str
        Words for English firm names (``Materials``).
    en_items : tuple of str
        English product or service phrases for company profiles.
    codes : tuple of str
        Plausible GB/T 4754-2017 four-digit classes, as text (leading zeros kept).
    licences : tuple of str
        许可项目 items a firm of the industry may hold (may be empty).
    customers : tuple of str
        Terminal makers or anchor firms such firms name as customers (may be empty).
    """

    label: str
    role: Literal["maker", "service", "trader", "generic"]
    weight: float
    name_words: tuple[str, ...]
    items: tuple[str, ...]
    en_words: tuple[str, ...]
    en_items: tuple[str, ...]
    codes: tuple[str, ...]
    licences: tuple[str, ...]
    customers: tuple[str, ...]


_BATTERY_BUYERS = ("宁德时代", "比亚迪", "亿纬锂能", "欣旺达", "中创新航", "广汽埃安")
_CAR_MAKERS = ("比亚迪", "广汽埃安", "小鹏汽车", "广汽丰田", "东风日产")
_APPLIANCE_MAKERS = ("美的", "格力", "海信", "TCL")
_ELECTRONICS_MAKERS = ("华为", "大疆", "OPPO", "vivo", "中兴通讯", "比亚迪")

INDUSTRIES: MappingProxyType[str, Industry] = MappingProxyType(
    {
        "battery_foil": Industry(
            "锂电集流体箔材", "maker", 2.0,
            ("新材料科技", "电子材料", "箔材科技", "新能源材料", "铜箔"),
            ("电子专用材料制造", "电子专用材料研发", "锂电池用极薄电解铜箔的生产", "双面光锂电铜箔",
             "高抗拉强度电解铜箔", "复合铜箔（PET基膜）的研发与生产", "涂炭铝箔的研发与生产",
             "电池用铝箔轧制", "有色金属压延加工", "铝塑复合膜制造", "铜箔表面处理加工",
             "复合集流体制造", "真空镀膜加工", "箔材分切加工", "电子专用材料销售"),
            ("Materials", "Foil", "Metals"),
            ("electrodeposited copper foil for lithium-ion batteries", "rolled copper foil",
             "carbon-coated aluminium foil", "composite current collectors",
             "battery-grade aluminium foil", "foil slitting and surface treatment",
             "ultra-thin copper foil for anodes"),
            ("3985", "3251", "3252"), (), _BATTERY_BUYERS),
        "anode": Industry(
            "负极材料", "maker", 1.2,
            ("新能源科技", "碳素材料", "新材料", "石墨科技"),
            ("人造石墨负极材料的研发与生产", "天然石墨球形化加工", "硅碳负极材料", "硅氧负极材料",
             "钠离子电池硬碳负极材料", "石墨化加工", "石墨及碳素制品制造", "石墨及碳素制品销售",
             "针状焦煅烧", "负极材料包覆改性", "碳纳米管导电浆料生产", "非金属矿物制品制造",
             "负极材料粉碎整形"),
            ("Carbon", "Graphite", "Anode Materials"),
            ("synthetic graphite anode material", "spherical natural graphite",
             "silicon-carbon anode material", "hard carbon for sodium-ion cells",
             "graphitisation services", "carbon nanotube conductive paste"),
            ("3091", "3099", "3985"), (), _BATTERY_BUYERS),
        "cathode_electrolyte": Industry(
            "正极材料与电解液", "maker", 1.2,
            ("新能源材料", "锂电材料", "化学科技", "新材料科技"),
            ("磷酸铁锂正极材料的生产", "三元前驱体制备", "高镍三元正极材料", "锰酸锂正极材料",
             "钠离子电池层状氧化物正极", "电池级碳酸锂加工",
             "基础化学原料制造（不含危险化学品等许可类化学品的制造）", "锂离子电池电解液配制",
             "六氟磷酸锂生产", "电解液添加剂研发", "湿法锂电池隔膜", "陶瓷涂覆隔膜",
             "塑料薄膜制造", "专用化学产品制造（不含危险化学品）", "专用化学产品销售（不含危险化学品）"),
            ("Chemicals", "Battery Materials", "Advanced Materials"),
            ("lithium iron phosphate cathode material", "nickel-rich NCM cathode precursors",
             "lithium-ion battery electrolyte", "lithium hexafluorophosphate",
             "wet-process battery separators", "ceramic-coated separators"),
            ("2613", "2669", "3985", "2921"), ("危险化学品生产", "危险化学品经营"), _BATTERY_BUYERS),
        "battery_cells": Industry(
            "电池电芯与PACK", "maker", 1.5,
            ("新能源科技", "电池科技", "能源科技", "动力科技"),
            ("电池制造", "锂离子电池制造", "动力电池电芯研发", "固态电池研发与中试",
             "半固态电池电芯生产", "钠离子电池制造", "电池零配件生产", "电池包（PACK）组装",
             "电池管理系统（BMS）研发", "锂电池模组生产", "软包电池", "大圆柱电池",
             "电动两轮车锂电池组", "电池销售"),
            ("Battery", "Energy", "Power Cells"),
            ("lithium-ion battery cells", "solid-state battery cells", "semi-solid-state pouch cells",
             "sodium-ion batteries", "battery packs and modules", "battery management systems"),
            ("3841", "3849"), (), _CAR_MAKERS),
        "energy_storage": Industry(
            "新型储能", "maker", 1.5,
            ("储能科技", "新能源", "能源科技", "电力科技"),
            ("储能技术服务", "工商业储能系统集成", "户用储能电源", "储能变流器（PCS）的研发生产",
             "便携式储能电源", "储能集装箱", "能量管理系统（EMS）开发", "输配电及控制设备制造",
             "光伏设备及元器件制造", "合同能源管理", "电池制造", "智能输配电及控制设备销售",
             "新兴能源技术研发"),
            ("Energy Storage", "Power Systems", "Energy"),
            ("commercial and industrial energy storage systems", "residential battery storage",
             "power conversion systems", "energy management software", "portable power stations",
             "containerised battery storage"),
            ("3829", "3841", "3825", "3824"), ("发电业务、输电业务、供（配）电业务",),
            ("华为", "南方电网", "国家电网")),
        "battery_recycling": Industry(
            "电池回收与材料再生", "maker", 1.0,
            ("循环科技", "再生资源", "环保科技", "资源循环"),
            ("新能源汽车废旧动力蓄电池回收及梯次利用（不含危险废物经营）", "梯次利用储能产品生产",
             "正极材料修复再生", "黑粉湿法冶金提取镍钴锂", "废旧锂电池电解液回收提纯",
             "资源再生利用技术研发", "金属废料和碎屑加工处理", "再生资源加工",
             "废旧电池拆解破碎分选", "电池级硫酸镍、硫酸钴生产", "有机溶剂精馏再生"),
            ("Recycling", "Circular Materials", "EcoTech"),
            ("recycled nickel and cobalt sulphate from spent batteries", "regenerated cathode active material",
             "battery-grade lithium carbonate from black mass", "recovered electrolyte and solvents",
             "second-life battery storage systems"),
            ("4210", "4220"), ("危险废物经营",), _BATTERY_BUYERS),
        "battery_equipment": Industry(
            "锂电与电子专用设备", "maker", 1.0,
            ("智能装备", "自动化设备", "智能科技", "机电设备"),
            ("锂电池极片涂布机制造", "辊压分切一体机", "卷绕机、叠片机的研发生产", "化成分容设备",
             "电子专用设备制造", "工业自动控制系统装置制造", "激光焊接设备", "真空注液机",
             "非标自动化设备设计制造", "专用设备修理", "电子元器件与机电组件设备制造"),
            ("Automation", "Machinery", "Equipment"),
            ("electrode coating machines", "winding and stacking machines",
             "formation and grading equipment", "laser welding systems", "custom automation lines"),
            ("3561", "3569", "3424"), (), _BATTERY_BUYERS),
        "foundry": Industry(
            "精密铸造与压铸", "maker", 1.5,
            ("精密铸造", "压铸", "铸造科技", "金属制品"),
            ("黑色金属铸造", "有色金属铸造", "熔模精密铸造", "硅溶胶精铸件", "铝合金压铸件",
             "一体化压铸结构件", "消失模铸造", "砂型铸造", "铸件机械加工", "模具制造",
             "金属表面处理及热处理加工", "船用阀体铸件", "泵壳铸件", "铜合金铸件", "锌合金压铸件"),
            ("Casting", "Foundry", "Precision Cast"),
            ("investment castings in stainless steel", "aluminium high-pressure die castings",
             "large one-piece structural die castings", "sand castings for pumps and valves",
             "machined cast components", "die-casting moulds"),
            ("3391", "3392"), (), ("南洋船舶", "大长江/豪爵", "中集", "比亚迪")),
        "alloy": Industry(
            "高端合金与金属材料", "maker", 1.0,
            ("合金材料", "新材料", "金属科技", "特种材料"),
            ("有色金属合金制造", "钛合金棒材", "镍基高温合金", "铜合金带材", "铝合金型材挤压",
             "精密合金", "3D打印用球形金属粉末", "特种不锈钢冶炼", "有色金属压延加工", "钢压延加工",
             "新材料技术研发", "高性能有色金属及合金材料销售", "再生铜杆生产"),
            ("Alloys", "Metals", "Special Steel"),
            ("titanium alloy bars", "nickel-base superalloys", "copper alloy strip",
             "aluminium extrusions", "metal powders for additive manufacturing",
             "corrosion-resistant special steel"),
            ("3240", "3251", "3252", "3130", "3140"), (), ("中集", "南洋船舶", "大疆")),
        "scrap_metal": Industry(
            "废旧金属回收加工", "maker", 0.8,
            ("金属再生", "再生资源", "资源回收", "环保科技"),
            ("生产性废旧金属回收", "再生资源回收（除生产性废旧金属）", "废钢破碎、剪切、打包",
             "废铜废铝分选", "再生铝锭熔铸", "金属废料和碎屑加工处理", "报废船舶拆解",
             "再生资源加工", "再生资源销售", "不锈钢边角料回收"),
            ("Metal Recycling", "Recovery", "Scrap"),
            ("shredded ferrous scrap for steel mills", "sorted copper and aluminium scrap",
             "secondary aluminium ingots", "steel recovered from ship breaking", "baled stainless scrap"),
            ("4210",), ("报废机动车回收", "危险废物经营"), ()),
        "paper": Industry(
            "造纸与纸制品", "maker", 1.0,
            ("纸业", "包装材料", "环保纸品", "纸制品"),
            ("机制纸及纸板制造", "纸制品制造", "瓦楞原纸", "箱板纸", "食品包装用纸", "生活用纸",
             "纸浆制造", "废纸脱墨制浆", "再生纤维浆板", "纸塑分离", "纸和纸板容器制造",
             "纸制品销售", "特种纸生产", "无氟防油纸", "纸浆模塑制品"),
            ("Paper", "Packaging", "Fibre"),
            ("recycled containerboard", "de-inked pulp", "food-contact packaging paper",
             "moulded pulp packaging", "specialty paper", "regenerated fibre"),
            ("2221", "2212", "2223", "2231"), ("食品用纸包装、容器制品生产",), ()),
        "bio_fertiliser": Industry(
            "生物发酵与有机肥", "maker", 0.8,
            ("生物科技", "农业科技", "肥业", "生物工程"),
            ("有机肥料及微生物肥料制造", "复合微生物肥料", "生物有机肥研发", "秸秆综合利用",
             "农林废物资源化无害化利用技术研发", "柑橘果渣固态发酵", "微生物菌剂生产",
             "发酵饲料原料生产", "酶制剂研发", "土壤调理剂", "畜禽粪污处理利用",
             "生物质成型燃料加工", "生物基材料制造"),
            ("Biotech", "Agro", "Fermentation"),
            ("organic fertiliser from crop residues", "microbial soil inoculants",
             "solid-state fermentation of fruit pulp", "fermented feed ingredients",
             "industrial enzymes", "biomass pellets"),
            ("2625", "1329", "4220", "1495"), ("肥料生产", "饲料生产"), ()),
        "citrus_agri": Industry(
            "柑橘与特色农业", "service", 0.6,
            ("农业发展", "农业科技", "生态农业", "农产品"),
            ("柑橘种植", "陈皮晒制、仓储", "柑普茶加工", "农产品的生产、销售、加工、运输、贮藏",
             "初级农产品收购", "中药材种植", "水果种植", "蔬菜种植", "农业机械服务",
             "茶叶种植", "休闲观光活动", "农业生产托管服务"),
            ("Agriculture", "Farms", "Orchards"),
            ("citrus orchards", "dried tangerine peel", "tea blending", "fresh produce",
             "agricultural services"),
            ("0153", "0514", "0519", "0141"), ("食品生产", "农作物种子经营"), ()),
        "ewaste_elv": Industry(
            "电子废物与报废车拆解", "maker", 0.7,
            ("环保科技", "资源再生", "再生资源", "拆解"),
            ("废弃电器电子产品处理", "废旧家电拆解", "废电路板破碎分选", "报废机动车拆解",
             "汽车零部件再制造", "废塑料再生造粒", "废旧轮胎综合利用", "贵金属提取精炼",
             "再生资源回收", "金属废料和碎屑加工处理", "非金属废料和碎屑加工处理"),
            ("Recycling", "Environmental", "Recovery"),
            ("materials recovered from dismantled household appliances",
             "reusable parts from end-of-life vehicles", "precious metals from scrap circuit boards",
             "remanufactured engines and gearboxes", "recycled plastic pellets"),
            ("4210", "4220"), ("废弃电器电子产品处理", "报废机动车拆解", "危险废物经营"),
            ("美的", "格力")),
        "robot": Industry(
            "工业机器人", "maker", 1.3,
            ("机器人", "智能装备", "自动化科技", "智能科技"),
            ("工业机器人制造", "工业机器人安装、维修", "协作机器人", "SCARA机器人",
             "六轴关节机器人", "打磨抛光机器人工作站", "焊接机器人", "码垛机器人",
             "谐波减速器", "伺服电机及驱动器", "运动控制器", "机器视觉系统", "智能物料搬运装备",
             "自动导引车（AGV）", "特殊作业机器人制造"),
            ("Robotics", "Automation", "Motion"),
            ("six-axis industrial robots", "collaborative robots", "grinding and polishing cells",
             "harmonic reducers", "servo drives", "machine vision systems",
             "autonomous mobile robots"),
            ("3491", "3453", "3492"), (), ("美的", "比亚迪", "格力")),
        "sensor": Industry(
            "传感器与仪器仪表", "maker", 1.0,
            ("传感技术", "电子科技", "测控技术", "仪器"),
            ("敏感元件及传感器制造", "MEMS压力传感器", "温湿度传感器", "气体传感器", "称重传感器",
             "电流传感器", "毫米波雷达", "激光雷达", "光电传感器", "编码器",
             "工业自动控制系统装置制造", "电子测量仪器制造", "智能仪器仪表制造"),
            ("Sensors", "Sensing", "Instruments"),
            ("MEMS pressure sensors", "gas and humidity sensors", "load cells",
             "automotive radar sensors", "current sensors", "optical encoders"),
            ("3983", "4011", "4028"), (), _APPLIANCE_MAKERS + ("小鹏汽车",)),
        "ship_offshore": Industry(
            "船舶与海工装备", "maker", 0.8,
            ("船舶设备", "海洋工程", "船舶配套", "重工"),
            ("船用配套设备制造", "船舶舾装件", "甲板机械", "锚绞机", "船用阀门", "船舶管系",
             "船舶分段制作", "海洋工程装备制造", "海上风电基础结构", "船舶修理", "游艇制造",
             "船用电气设备", "港口装卸机械", "金属结构制造"),
            ("Marine", "Offshore", "Shipbuilding"),
            ("deck machinery", "marine valves", "ship outfitting", "offshore wind foundations",
             "marine electrical systems", "workboats and yachts"),
            ("3731", "3734", "3737", "3733"), (), ("南洋船舶", "中集")),
        "chip_design": Industry(
            "芯片设计", "maker", 1.0,
            ("微电子", "半导体", "芯片科技", "集成电路"),
            ("集成电路设计", "集成电路芯片设计及服务", "电源管理芯片", "MCU芯片", "模拟芯片",
             "电机驱动芯片", "传感器信号调理芯片", "射频前端芯片", "存储控制芯片", "SoC芯片",
             "FPGA应用开发", "集成电路销售", "芯片应用方案设计"),
            ("Semiconductor", "Micro", "Silicon"),
            ("power-management ICs", "microcontrollers", "analog front-end chips",
             "motor driver ICs", "RF front-end modules", "system-on-chip designs"),
            ("6520",), (), _ELECTRONICS_MAKERS + _APPLIANCE_MAKERS),
        "semi_packaging": Industry(
            "半导体封装测试", "maker", 0.8,
            ("半导体", "微电子", "封装科技", "电子科技"),
            ("集成电路制造", "半导体分立器件制造", "功率器件封装测试", "晶圆级封装", "SiP系统级封装",
             "引线框架", "键合丝", "封装基板", "半导体器件专用设备制造", "芯片测试服务",
             "集成电路芯片及产品制造", "碳化硅功率模块封装"),
            ("Semiconductor", "Packaging", "Microsystems"),
            ("wafer-level packaging", "power module packaging", "system-in-package assembly",
             "lead frames", "bonding wire", "final test services"),
            ("3973", "3972", "3985", "3562"), (), ("华为", "比亚迪")),
        "electronics": Industry(
            "电子元器件与电路", "maker", 2.0,
            ("电子科技", "电子", "电路科技", "光电科技"),
            ("电子元器件制造", "电子电路制造", "多层印制电路板", "柔性线路板", "光通信模块",
             "连接器", "电感器", "电容器", "电子变压器", "显示模组", "LED封装",
             "光电子器件制造", "电源适配器", "线束加工"),
            ("Electronics", "Circuits", "Components"),
            ("printed circuit boards", "flexible circuits", "optical transceivers", "connectors",
             "inductors and transformers", "display modules"),
            ("3982", "3976", "3981", "3989", "3974"), (), _ELECTRONICS_MAKERS),
        "nev_parts": Industry(
            "新能源汽车零部件", "maker", 2.0,
            ("汽车零部件", "汽车电子", "汽车部件", "科技"),
            ("汽车零部件及配件制造", "电机控制器", "车载充电机（OBC）", "DC/DC转换器", "高压线束",
             "高压连接器", "热管理系统", "电动压缩机", "电池托盘", "车身冲压件", "汽车内饰件",
             "制动系统", "电动助力转向系统", "充电桩", "智能座舱域控制器", "汽车轻量化铝合金结构件"),
            ("Automotive", "Auto Parts", "Mobility"),
            ("motor controllers", "on-board chargers", "high-voltage wiring harnesses",
             "thermal management systems", "battery trays", "stamped body parts",
             "interior trim parts", "charging stations"),
            ("3670", "3660", "3829"), (), _CAR_MAKERS),
        "motorcycle": Industry(
            "摩托车与电动两轮车", "maker", 1.0,
            ("摩托车配件", "车业", "动力科技", "电动车"),
            ("摩托车零配件制造", "电动摩托车研发", "电动自行车制造", "轮毂电机", "摩托车仪表",
             "摩托车车架", "摩托车铝合金轮毂", "减震器", "刹车系统", "摩托车发动机零部件",
             "电动两轮车控制器", "智能车载设备制造", "摩托车及零配件批发"),
            ("Motors", "Moto", "Mobility"),
            ("electric motorcycles", "in-wheel hub motors", "motorcycle instrument clusters",
             "aluminium wheels", "shock absorbers", "scooter controllers"),
            ("3751", "3752", "3762"), ("道路机动车辆生产",), ("大长江/豪爵", "大长江", "豪爵")),
        "biomed": Industry(
            "生物医药", "maker", 1.2,
            ("生物医药", "制药", "生物科技", "医药科技"),
            ("生物药品制造", "化学药品制剂制造", "化学药品原料药制造", "单克隆抗体药物研发",
             "重组蛋白药物", "疫苗研发", "细胞治疗产品研发", "医药中间体", "中药饮片加工",
             "中成药生产", "保健食品", "生物制品CDMO服务", "医学研究和试验发展", "体外诊断试剂"),
            ("Biologics", "Pharma", "Bio"),
            ("monoclonal antibodies", "recombinant proteins", "generic oral solid dosage forms",
             "CDMO services", "in vitro diagnostic reagents", "traditional Chinese medicine"),
            ("2761", "2720", "2710", "2730", "2740", "2762"),
            ("药品生产", "药品批发", "保健食品生产"), ()),
        "med_device": Industry(
            "医疗器械", "maker", 1.2,
            ("医疗科技", "医疗器械", "医疗设备", "生物医疗"),
            ("第一类医疗器械生产", "多参数监护仪", "超声诊断设备", "一次性使用输注器械", "医用导管",
             "骨科植入物", "康复辅具", "电动轮椅", "护理床", "医用敷料", "口腔设备",
             "体外诊断仪器", "消毒设备", "第二类医疗器械销售"),
            ("Medical", "Medtech", "Healthcare"),
            ("patient monitors", "ultrasound systems", "infusion sets", "catheters",
             "orthopaedic implants", "rehabilitation aids", "dental equipment"),
            ("3581", "3584", "3586", "3589", "2770"),
            ("第二类医疗器械生产", "第三类医疗器械生产", "第三类医疗器械经营"), ()),
        "smart_home": Industry(
            "智能家居", "maker", 1.2,
            ("智能科技", "智能家居", "物联科技", "电子科技"),
            ("智能家庭消费设备制造", "智能门锁", "智能照明", "智能窗帘电机", "智能开关面板",
             "全屋智能网关", "可视门铃", "智能音箱", "扫地机器人", "物联网设备制造",
             "物联网技术服务", "安防监控摄像头", "智能晾衣机"),
            ("Smart Home", "Home Tech", "Connected"),
            ("smart door locks", "smart lighting", "curtain motors", "home automation gateways",
             "robot vacuum cleaners", "security cameras"),
            ("3969", "3964", "3872"), (), _APPLIANCE_MAKERS),
        "small_appliance": Industry(
            "小家电", "maker", 2.0,
            ("电器", "家电", "电器科技", "电器制造"),
            ("家用电器制造", "家用电器研发", "空气炸锅", "电饭煲", "破壁机", "电热水壶", "电风扇",
             "暖风机", "吸尘器", "净水器", "电吹风", "咖啡机", "除湿机", "家用电器零配件销售",
             "微特电机及组件制造"),
            ("Appliances", "Home Appliances", "Electric"),
            ("air fryers", "rice cookers", "blenders", "electric kettles", "fans and heaters",
             "water purifiers", "hair dryers", "small motors"),
            ("3854", "3853", "3855", "3856", "3859", "3857"), (), _APPLIANCE_MAKERS),
        "sanitary": Industry(
            "五金水暖卫浴", "maker", 1.5,
            ("卫浴", "水暖科技", "五金制品", "厨卫"),
            ("卫生洁具制造", "水暖管道零件制造", "龙头", "花洒", "角阀", "淋浴房", "浴室柜",
             "智能马桶", "卫浴五金挂件", "铜铸件", "不锈钢水槽", "五金产品制造",
             "金属表面处理及热处理加工", "建筑装饰及水暖管道零件制造"),
            ("Sanitary", "Bath", "Fittings"),
            ("faucets and showers", "angle valves", "shower enclosures", "smart toilets",
             "bathroom accessories", "brass castings"),
            ("3352", "3072", "3389", "3351"), (), ()),
        "ceramics": Industry(
            "陶瓷", "maker", 0.8,
            ("陶瓷", "瓷业", "新材料", "陶瓷科技"),
            ("日用陶瓷制品制造", "建筑陶瓷制品制造", "卫生陶瓷制品制造", "特种陶瓷制品制造",
             "陶瓷岩板", "釉面砖", "酒店用瓷", "陶瓷基板", "氧化锆结构陶瓷", "陶瓷釉料",
             "陶瓷礼品定制"),
            ("Ceramics", "Porcelain", "Fine Ceramics"),
            ("tableware porcelain", "porcelain slabs", "technical ceramics", "ceramic substrates",
             "glazes"),
            ("3071", "3072", "3073", "3074"), (), ("华为",)),
        "food": Industry(
            "食品饮料", "maker", 1.8,
            ("食品", "食品科技", "饮料", "调味食品"),
            ("蚝油", "酱油", "复合调味料", "饼干糕点", "速冻食品", "预制菜肴", "米粉", "果汁饮料",
             "植物蛋白饮料", "无糖茶饮料", "凉茶", "烘焙食品", "食品添加剂", "陈皮制品",
             "中央厨房配送"),
            ("Foods", "Food", "Beverages"),
            ("oyster sauce and soy sauce", "frozen dim sum", "ready meals", "rice noodles",
             "fruit juices", "tea beverages", "bakery products"),
            ("1462", "1469", "1432", "1431", "1411", "1523", "1529"),
            ("食品生产", "食品销售", "饮料生产"), ()),
        "seafood": Industry(
            "水产加工与养殖", "maker", 0.8,
            ("海产食品", "水产", "渔业", "海洋食品"),
            ("水产品冷冻加工", "鱼糜制品", "虾仁", "鱿鱼制品", "水产品干腌制加工", "鱼油",
             "海洋生物提取物", "水产养殖", "水产苗种", "深海网箱养殖", "生蚝养殖", "冷库租赁"),
            ("Seafood", "Marine Foods", "Fisheries"),
            ("frozen seafood", "surimi products", "fish oil", "marine collagen peptides",
             "oyster farming"),
            ("1361", "1362", "1363", "0411", "0412"), ("水产养殖", "食品生产", "水产苗种生产"), ()),
        "textile": Industry(
            "纺织服装", "maker", 1.5,
            ("服装", "纺织", "服饰", "织造"),
            ("服装制造", "针织服装", "牛仔服装", "面料纺织加工", "非织造布制造", "化纤织物染整",
             "功能性面料", "再生涤纶面料", "服装辅料", "刺绣加工", "家用纺织制成品",
             "产业用纺织制成品生产", "牛仔服装水洗"),
            ("Textiles", "Apparel", "Garments"),
            ("knitted garments", "denim", "nonwovens", "functional fabrics",
             "recycled polyester fabrics", "garment washing"),
            ("1810", "1820", "1713", "1752", "1781", "1761"), (), ()),
        "new_materials": Industry(
            "化工新材料", "maker", 1.5,
            ("新材料", "高分子材料", "化工科技", "材料科技"),
            ("合成材料制造（不含危险化学品）", "工程塑料改性", "涂料制造（不含危险化学品）",
             "胶粘剂", "导热材料", "石墨烯散热膜", "碳纤维复合材料", "玻璃纤维增强塑料制品",
             "光学膜", "电子化学品", "生物基材料制造", "塑料制品制造", "橡胶制品",
             "水性工业涂料"),
            ("Materials", "Polymers", "Chemicals"),
            ("engineering plastic compounds", "industrial coatings", "adhesives",
             "thermal interface materials", "carbon-fibre composites", "optical films"),
            ("2651", "2659", "2641", "3062", "2929", "2669"), ("危险化学品生产",),
            _APPLIANCE_MAKERS + ("华为", "大疆")),
        "machinery": Industry(
            "通用装备与机床", "maker", 1.5,
            ("机械", "机电", "精密机械", "装备"),
            ("金属切削机床制造", "数控机床", "五轴加工中心", "液压元件", "气动元件", "滚动轴承",
             "齿轮减速机", "泵、阀门", "通用设备制造（不含特种设备制造）", "激光切割机",
             "包装机械", "食品机械", "注塑机"),
            ("Machinery", "Precision", "Engineering"),
            ("CNC machine tools", "hydraulic cylinders", "bearings", "gear reducers",
             "packaging machines", "food processing machinery"),
            ("3421", "3444", "3451", "3453", "3461", "3531"), (), ("中集", "美的")),
        "metal_products": Industry(
            "金属制品", "maker", 1.5,
            ("五金制品", "金属制品", "不锈钢制品", "实业"),
            ("五金产品制造", "金属制日用品制造", "不锈钢厨具", "保温杯", "锅具", "门窗五金配件",
             "金属结构制造", "钢结构件", "金属门窗", "冲压件", "紧固件", "弹簧",
             "金属表面处理及热处理加工"),
            ("Metalware", "Hardware", "Steelworks"),
            ("stainless steel cookware", "vacuum flasks", "door and window hardware",
             "steel structures", "fasteners", "metal stampings"),
            ("3389", "3351", "3311", "3312", "3382"), (), ()),
        "drone_lowalt": Industry(
            "低空经济", "maker", 0.8,
            ("航空科技", "无人机", "飞行器", "智能科技"),
            ("智能无人飞行器制造", "工业级无人机", "植保无人机", "物流无人机", "飞控系统",
             "无人机动力电机", "螺旋桨", "电动垂直起降飞行器研发", "民用航空器零部件设计和生产",
             "复合材料机身", "通用航空服务", "无人机培训"),
            ("Aero", "Drones", "Aviation"),
            ("industrial drones", "agricultural spraying drones", "eVTOL aircraft",
             "flight controllers", "electric propulsion units", "composite airframe parts"),
            ("3963", "3741", "3744", "5631"), ("通用航空服务", "民用航空器生产"), ("大疆",)),
        "ai": Industry(
            "人工智能", "service", 1.0,
            ("智能科技", "人工智能", "信息科技", "数据科技"),
            ("人工智能应用软件开发", "人工智能基础软件开发", "行业大模型训练与部署",
             "机器视觉缺陷检测系统", "智能客服系统", "知识图谱", "人工智能行业应用系统集成服务",
             "人工智能硬件销售", "数据标注服务", "软件开发", "语音识别", "计算机视觉算法"),
            ("AI", "Intelligence", "Analytics"),
            ("computer-vision inspection software", "large language model applications",
             "speech recognition", "AI agents for customer service", "data labelling"),
            ("6513", "6511", "6519", "6550"), (), ("比亚迪", "华为", "美的")),
        "computing_quantum": Industry(
            "算力与量子信息", "service", 0.6,
            ("数据科技", "云计算", "信息技术", "量子科技"),
            ("数据中心运营", "智能算力租赁", "云计算装备技术服务", "液冷服务器", "服务器制造",
             "边缘计算设备", "量子密钥分发设备", "量子随机数发生器", "量子计算软件",
             "数据处理和存储支持服务", "信息系统运行维护服务"),
            ("Cloud", "Compute", "Quantum"),
            ("GPU compute rental", "data centre operation", "liquid-cooled servers",
             "quantum key distribution systems", "edge computing devices"),
            ("6450", "3911", "3919", "3921", "6550"), ("第一类增值电信业务", "第二类增值电信业务"),
            ()),
        "pilot_testing": Industry(
            "中试与检验检测", "service", 0.8,
            ("检测技术", "科技服务", "检测", "孵化器管理"),
            ("电池安全性能测试", "电磁兼容检测", "环境可靠性试验", "计量校准", "材料理化分析",
             "失效分析", "认证咨询", "中试基地运营", "科技成果转化服务", "小批量试制",
             "科技企业孵化", "创业空间服务", "标准化服务", "食品检测"),
            ("Testing", "Labs", "Certification"),
            ("product safety testing", "EMC testing", "battery testing", "calibration",
             "pilot-scale production services", "incubation"),
            ("7452", "7453", "7455", "7530", "7540", "7320"), ("检验检测服务",), ()),
        "hr_services": Industry(
            "人力资源服务", "service", 0.6,
            ("人力资源", "人才服务", "企业管理", "人才科技"),
            ("人力资源服务（不含职业中介活动、劳务派遣服务）", "中高端人才寻访", "人才测评",
             "招聘流程外包", "灵活用工服务", "企业培训", "薪酬外包", "人事代理",
             "劳务服务（不含劳务派遣）", "人力资源外包"),
            ("Talent", "Executive Search", "HR"),
            ("executive search", "talent assessment", "recruitment process outsourcing",
             "payroll outsourcing"),
            ("7262", "7263", "7269"), ("劳务派遣服务", "职业中介活动"), ()),
        "logistics": Industry(
            "冷链物流与跨境电商", "service", 1.2,
            ("供应链管理", "物流", "冷链物流", "电子商务"),
            ("低温仓储", "冷链物流", "冷藏车道路运输", "供应链管理服务", "国际货物运输代理",
             "普通货物仓储服务", "智能仓储", "城市配送运输服务", "海外仓服务", "跨境电子商务",
             "集装箱运输", "港口货物装卸", "国内货物运输代理"),
            ("Logistics", "Supply Chain", "ColdChain"),
            ("temperature-controlled warehousing", "reefer trucking", "freight forwarding",
             "overseas warehouses", "cross-border e-commerce fulfilment"),
            ("5930", "5821", "5437", "5292", "5920"), ("道路货物运输（不含危险货物）",), ()),
        "tourism": Industry(
            "文旅", "service", 0.6,
            ("文化旅游", "旅游发展", "文旅", "酒店管理"),
            ("游览景区管理", "旅游开发项目策划咨询", "研学旅行服务", "酒店管理", "民宿经营",
             "休闲观光活动", "会议及展览服务", "文艺创作", "露营地服务", "游艇观光服务"),
            ("Hospitality", "Travel", "Resorts"),
            ("resort hotels", "heritage tourism", "study tours", "yacht tours"),
            ("7869", "7271", "6110"), ("旅游业务", "住宿服务"), ()),
        "elderly_care": Industry(
            "康养", "service", 0.5,
            ("养老服务", "健康管理", "康养", "护理"),
            ("养老服务", "居家养老服务", "护理机构服务（不含医疗服务）", "健康咨询服务（不含诊疗服务）",
             "康复辅具适配服务", "老年人养护服务", "家政服务", "老年人文体活动组织",
             "智慧养老平台运营"),
            ("Care", "Senior Living", "Health"),
            ("residential elderly care", "home care services", "rehabilitation",
             "senior living communities"),
            ("8514", "8521", "8512"), ("养老机构服务",), ()),
        "trading": Industry(
            "贸易", "trader", 5.7,  # 10 % of all firms
            ("贸易", "商贸", "进出口", "实业", "供应链管理", "电子商行"),
            ("电池销售", "金属材料销售", "有色金属合金销售", "电子元器件批发", "电子产品销售",
             "五金产品批发", "建筑材料销售", "化工产品销售（不含许可类化工产品）", "汽车零配件批发",
             "摩托车及零配件批发", "日用百货销售", "家用电器销售", "服装服饰批发",
             "食用农产品批发", "第一类医疗器械销售", "塑料制品销售", "光伏设备及元器件销售",
             "国内贸易代理", "货物进出口"),
            ("Trading", "Distribution", "Sourcing"),
            ("batteries", "non-ferrous metals", "electronic components", "hardware",
             "household appliances", "medical supplies", "chemicals", "consumer goods"),
            ("5179", "5164", "5175", "5174", "5172", "5199", "5169"), (), ()),
        "generic_tech": Industry(
            "一般科技服务", "generic", 2.85,  # 5 % of all firms
            ("科技", "信息科技", "网络科技", "科技发展", "创新科技"),
            ("技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "科技中介服务",
             "信息咨询服务（不含许可类信息咨询服务）", "企业管理咨询", "市场营销策划",
             "会议及展览服务", "组织文化艺术交流活动", "企业形象策划", "社会经济咨询服务"),
            ("Technologies", "Tech", "Innovations"),
            ("technology consulting", "business advisory", "software outsourcing",
             "digital marketing"),
            ("7590", "6560", "7519"), (), ()),
    }
)

# Generic items of a Chinese business scope, added to every industry's own items.
_GENERIC: tuple[str, ...] = (
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "货物进出口", "技术进出口",
    "进出口代理", "非居住房地产租赁", "信息咨询服务（不含许可类信息咨询服务）", "企业管理咨询",
    "国内贸易代理", "普通机械设备安装服务", "会议及展览服务", "日用百货销售", "机械设备租赁",
    "包装服务", "软件开发", "五金产品零售", "互联网销售（除销售需要许可的商品）", "专业设计服务",
    "工程和技术研究和试验发展", "物业管理", "市场营销策划", "劳务服务（不含劳务派遣）",
    "广告设计、代理", "计算机系统服务", "办公用品销售", "住房租赁",
)
_C_GEN = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
_C_LIC = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
_C_LIC_LONG = "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）"

# Mainland and SAR cities: (city column, name prefixes, weight, country)
_CN_CITIES: tuple[tuple[str, tuple[str, ...], float, str], ...] = (
    ("深圳", ("深圳市", "深圳市南山区", "深圳市宝安区", "深圳市龙岗区"), 18, "中国"),
    ("东莞", ("东莞市",), 13, "中国"),
    ("广州", ("广州市", "广州市番禺区", "广州市黄埔区"), 13, "中国"),
    ("佛山", ("佛山市", "佛山市顺德区", "佛山市南海区"), 11, "中国"),
    ("江门", ("江门市", "江门市蓬江区", "江门市新会区", "开平市", "台山市", "鹤山市", "恩平市"), 8, "中国"),
    ("中山", ("中山市",), 6, "中国"),
    ("珠海", ("珠海市", "珠海市斗门区"), 5, "中国"),
    ("惠州", ("惠州市", "惠州市仲恺高新区"), 5, "中国"),
    ("肇庆", ("肇庆市",), 2, "中国"),
    ("清远", ("清远市",), 1, "中国"),
    ("汕头", ("汕头市",), 1, "中国"),
    ("湛江", ("湛江市",), 1, "中国"),
    ("阳江", ("阳江市",), 0.5, "中国"),
    ("香港", ("香港",), 3, "中国香港"),
    ("澳门", ("澳门",), 0.5, "中国澳门"),
    ("上海", ("上海",), 3, "中国"),
    ("苏州", ("苏州", "苏州工业园区"), 3, "中国"),
    ("宁波", ("宁波",), 2, "中国"),
    ("杭州", ("杭州",), 2, "中国"),
    ("无锡", ("无锡",), 1, "中国"),
    ("常州", ("常州",), 1, "中国"),
    ("南京", ("南京",), 1, "中国"),
    ("长沙", ("长沙",), 1.5, "中国"),
    ("武汉", ("武汉",), 1, "中国"),
    ("成都", ("成都",), 1, "中国"),
    ("重庆", ("重庆",), 1, "中国"),
    ("合肥", ("合肥",), 1, "中国"),
    ("厦门", ("厦门",), 1, "中国"),
    ("北京", ("北京",), 1, "中国"),
    ("天津", ("天津",), 0.5, "中国"),
)
# Foreign investors: (country column, cities, legal-form suffixes, weight)
_FOREIGN: tuple[tuple[str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("德国", ("Munich", "Stuttgart", "Hamburg", "Frankfurt", "Dusseldorf", "Nuremberg", "Dresden"),
     ("GmbH", "AG", "GmbH & Co. KG"), 20),
    ("日本", ("Tokyo", "Osaka", "Nagoya", "Kyoto", "Yokohama", "Hamamatsu"),
     ("Co., Ltd.", "Corporation", "K.K."), 20),
    ("韩国", ("Seoul", "Incheon", "Ulsan", "Pohang", "Suwon", "Changwon"), ("Co., Ltd.", "Inc.", "Corp."), 15),
    ("新加坡", ("Singapore",), ("Pte. Ltd.",), 12),
    ("美国", ("San Jose", "Boston", "Austin", "Los Angeles", "Detroit", "Houston", "Chicago"),
     ("Inc.", "LLC", "Corp."), 15),
    ("中国香港", ("Hong Kong",), ("Ltd.", "Limited", "Holdings Ltd."), 13),
    ("英国", ("London", "Manchester", "Birmingham", "Cambridge"), ("Ltd.", "PLC"), 3),
    ("意大利", ("Milan", "Turin", "Bologna"), ("S.p.A.", "S.r.l."), 2),
)

_BRAND_CHARS = (
    "华鑫恒瑞达盛泰源宏丰宇佳德利兴晟锐创嘉正诚信海天汇联优新凯鸿博安康金宝骏驰拓卓越腾飞辉"
    "星辰光明智慧维普润泽通力展航远翔蓝绿川峰岳嵘铭昊旭阳晖睿奥迪邦益祥顺隆昌永长久中东南粤"
    "珠江湾港侨美雅致合和众兆亿万"
)
_BRAND_CHARS = "".join(dict.fromkeys(_BRAND_CHARS))  # 100-odd distinct characters
_EN_A = (
    "Nord", "Kron", "Hansa", "Rhein", "Alpen", "Elb", "Weser", "Berg", "Stahl", "Licht", "Asahi",
    "Taiyo", "Kiso", "Fuji", "Hoku", "Mizu", "Sakura", "Toho", "Daiko", "Kyo", "Han", "Dae", "Sam",
    "Hyo", "Jin", "Sun", "Seo", "Pacific", "Atlas", "Summit", "Cascade", "Liberty", "Pioneer",
    "Granite", "Harbor", "Eagle", "Prairie", "Lumen", "Vertex", "Apex", "Orion", "Nova", "Strait",
    "Merlion", "Equa", "Lion", "Marina", "Victoria", "Kowloon", "Lantau", "Pearl", "Jade",
    "Crown", "Silver", "Blue", "Green", "Bright", "Polar", "Delta", "Sigma",
)
_EN_B = (
    "tech", "werk", "tron", "tek", "ion", "line", "form", "flex", "core", "wave", "gen", "bridge",
    "field", "stone", "point", "way", "star", "link", "max", "sys", "ware", "matic", "dyne", "lux",
    "sonic", "cell", "mark", "tex", "net", "ix",
)
_EN_C = ("", "", "", "Advanced ", "Precision ", "Global ", "Applied ", "United ", "Pacific ", "Asia ")
_EN_OPEN = {
    "maker": ("Manufacturer of ", "We design and manufacture ", "We develop and produce ",
              "Producer of ", "Specialist manufacturer of ", "OEM/ODM manufacturer of "),
    "service": ("Provider of ", "We offer ", "We operate ", "Specialist in "),
    "trader": ("Distributor of ", "Trading company for ", "We import and distribute ",
               "Sourcing agent and exporter of ", "Authorised distributor of "),
    "generic": ("We provide ", "Consultancy offering ", "Our team delivers "),
}
_EN_EXTRA = {
    "maker": ("ISO 9001 and IATF 16949 certified.", "In-house R&D centre and tooling shop.",
              "Plants in Europe and Southeast Asia; evaluating a production site in the Greater Bay Area.",
              "Exports to more than 30 countries.", "Family-owned, now in the second generation.",
              "Looking for a joint-venture partner in South China.",
              "Pilot line running, scaling up to volume production.",
              "Supplies tier-one customers in Europe, Japan and China.",
              "About 40 engineers work in product development."),
    "service": ("Offices in Singapore, Hong Kong and Shenzhen.", "Serving manufacturers across Asia.",
                "Looking to open a branch in the Pearl River Delta.",
                "Accredited to ISO/IEC 17025 where applicable.",
                "Long-term contracts with industrial and public clients."),
    "trader": ("We do not manufacture; products are sourced from partner factories.",
               "Stockholding, kitting and technical sales for OEM customers.",
               "Offices in Hong Kong, Shenzhen and Singapore.",
               "Own brand, production outsourced to contract manufacturers.",
               "Wholesale only, no production facilities."),
    "generic": ("Small team, projects on demand.", "Clients in trade and services.",
                "No production; advisory work only.", "Registered office in a business centre."),
}
_EN_MARKET = (" for automotive, electronics and energy customers", " for OEMs in Europe and Asia",
              " for industrial customers", " for export markets", "")

# vendor tag combinations with weights, per kind of firm
_TAGS_MAKER = (
    ("", 40), ("高新技术企业", 20), ("科技型中小企业", 8), ("高新技术企业；专精特新", 6), ("专精特新", 4),
    ("高新技术企业;科技型中小企业", 4), ("专精特新小巨人；高新技术企业", 2.5),
    ('国家级专精特新"小巨人"；高新技术企业', 1), ("高新技术企业；瞪羚企业", 1.5),
    ("上市公司；高新技术企业", 1), ("新三板", 1), ("单项冠军；上市公司；高新技术企业", 0.3),
    ("独角兽；高新技术企业", 0.2), ("侨资企业", 1), ("港资企业", 1.5), ("外资企业", 1),
    ("科技型中小企业;专精特新", 1.5),
)
_TAGS_SERVICE = (("", 65), ("高新技术企业", 10), ("科技型中小企业", 12), ("港资企业", 2),
                 ("侨资企业", 1), ("新三板", 1), ("瞪羚企业;高新技术企业", 1))
_TAGS_TRADER = (("", 92), ("港资企业", 4), ("科技型中小企业", 2), ("侨资企业", 2))
_TAGS_GENERIC = (("", 80), ("科技型中小企业", 18), ("高新技术企业", 2))
_TAGS_FOREIGN = (("外资企业", 70), ("", 30))
_TAGS_HK = (("港资企业", 60), ("港资企业；侨资企业", 15), ("", 25))


def _choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _obj(strings) -> np.ndarray:
    """A 1-D object array of the given strings (for fancy indexing without copies)."""
    out = np.empty(len(strings), dtype=object)
    out[:] = list(strings)
    return out


def _int_text(values: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Integers as shared text objects, ``""`` where ``blank``."""
    uniq, inv = np.unique(values, return_inverse=True)
    table = _obj([str(int(v)) for v in uniq])
    out = table[inv]
    out[blank] = ""
    return out


class _Tables:
    """Flattened numeric views of the phrase tables, built once per process."""

    def __init__(self) -> None:
        inds = list(INDUSTRIES.values())
        self.weight = np.array([i.weight for i in inds])
        self.role = np.array([("maker", "service", "trader", "generic").index(i.role) for i in inds])
        # Chinese items, flattened; ind_items[k, j] = global id of item j of industry k (padded)
        items = sorted({s for i in inds for s in i.items} | set(_GENERIC))
        self.item_id = {s: n for n, s in enumerate(items)}
        # text of id i: item i alone; of id i + n: "；" + item i; of id 2n: "" (empty slot)
        self.n_items = len(items)
        self.item_text = _obj(items + ["；" + s for s in items] + [""])
        self.item_len = np.array([len(s) + 1 for s in items] + [0])  # with one separator
        self.empty = len(items)
        width = max(len(i.items) for i in inds)
        self.ind_items = np.full((len(inds), width), self.empty, dtype=np.int32)
        for k, ind in enumerate(inds):
            self.ind_items[k, : len(ind.items)] = [self.item_id[s] for s in ind.items]
        self.ind_n_items = np.array([len(i.items) for i in inds])
        # generic items per industry, leaving out those the industry already lists as its own
        gw = len(_GENERIC)
        self.ind_generic = np.full((len(inds), gw), self.empty, dtype=np.int32)
        self.ind_n_generic = np.zeros(len(inds), dtype=np.int64)
        for k, ind in enumerate(inds):
            own = [self.item_id[s] for s in _GENERIC if s not in ind.items]
            self.ind_generic[k, : len(own)] = own
            self.ind_n_generic[k] = len(own)
        # licences
        lic = sorted({s for i in inds for s in i.licences})
        self.lic = _obj(lic)
        self.lic_len = np.array([len(s) for s in lic])
        lw = max(1, max(len(i.licences) for i in inds))
        self.ind_lic = np.zeros((len(inds), lw), dtype=np.int32)
        self.ind_n_lic = np.array([len(i.licences) for i in inds])
        for k, ind in enumerate(inds):
            self.ind_lic[k, : len(ind.licences)] = [lic.index(s) for s in ind.licences]
        # codes, customers, name words
        self.codes, self.ind_codes, self.ind_n_codes = self._ragged([i.codes for i in inds])
        self.cust, self.ind_cust, self.ind_n_cust = self._ragged([i.customers for i in inds])
        self.words, self.ind_words, self.ind_n_words = self._ragged([i.name_words for i in inds])
        self.en_words, self.ind_en_words, self.ind_n_en_words = self._ragged([i.en_words for i in inds])
        # cities
        self.city = _obj([c[0] for c in _CN_CITIES])
        self.city_w = np.array([c[2] for c in _CN_CITIES])
        self.city_country = _obj([c[3] for c in _CN_CITIES])
        self.prefix, self.city_prefix, self.city_n_prefix = self._ragged([c[1] for c in _CN_CITIES])
        self.brand = _obj(list(_BRAND_CHARS))
        # foreign
        self.f_country = _obj([f[0] for f in _FOREIGN])
        self.f_w = np.array([f[3] for f in _FOREIGN])
        self.f_city, self.f_cities, self.f_n_cities = self._ragged([f[1] for f in _FOREIGN])
        self.f_suffix, self.f_suffixes, self.f_n_suffixes = self._ragged([f[2] for f in _FOREIGN])
        # English profiles
        en_items = list(dict.fromkeys(s for i in inds for s in i.en_items))
        self.en_item = _obj(en_items + [""])
        self.en_blank = len(en_items)
        self.en_item_len = np.array([len(s) for s in en_items] + [0])
        self.en_item_for = np.array([" for " in s for s in en_items] + [False])
        ids = {s: n for n, s in enumerate(en_items)}
        w = max(len(i.en_items) for i in inds)
        self.ind_en_items = np.full((len(inds), w), self.en_blank, dtype=np.int32)
        for k, ind in enumerate(inds):
            self.ind_en_items[k, : len(ind.en_items)] = [ids[s] for s in ind.en_items]
        self.ind_n_en_items = np.array([len(i.en_items) for i in inds])
        roles = ("maker", "service", "trader", "generic")
        self.role_open, self.role_opens, self.role_n_opens = self._ragged([_EN_OPEN[r] for r in roles])
        self.open_len = np.array([len(s) for s in self.role_open])
        extra, self.role_extras, self.role_n_extras = self._ragged([_EN_EXTRA[r] for r in roles])
        self.extra = _obj(list(extra) + [""])
        self.extra_blank = len(extra)
        self.extra_len = np.array([len(s) for s in extra] + [0])
        self.market = _obj(("",) + tuple(x for x in _EN_MARKET if x))
        self.market_len = np.array([len(x) for x in self.market])
        self.list_sep = _obj(("", ", ", " and "))
        self.en_a, self.en_b, self.en_c = _obj(_EN_A), _obj(_EN_B), _obj(_EN_C)
        uniq_c = list(dict.fromkeys(_EN_C))
        self.en_c_uid = np.array([uniq_c.index(c) for c in _EN_C])  # "" repeats on purpose
        # tags
        self.tags = {}
        for key, table in (("maker", _TAGS_MAKER), ("service", _TAGS_SERVICE),
                           ("trader", _TAGS_TRADER), ("generic", _TAGS_GENERIC),
                           ("foreign", _TAGS_FOREIGN), ("hk", _TAGS_HK)):
            self.tags[key] = (_obj([t for t, _ in table]), np.array([w for _, w in table]))

    @staticmethod
    def _ragged(rows: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flatten ragged string tuples into (unique strings, padded id table, lengths)."""
        vocab = list(dict.fromkeys(s for r in rows for s in r))
        ids = {s: n for n, s in enumerate(vocab)}
        width = max(1, max(len(r) for r in rows))
        table = np.zeros((len(rows), width), dtype=np.int32)
        for k, r in enumerate(rows):
            table[k, : len(r)] = [ids[s] for s in r]
        return _obj(vocab), table, np.array([len(r) for r in rows])


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


def _pick(rng: np.random.Generator, table: np.ndarray, counts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row index in ``rows``, one random column of ``table[rows]`` below ``counts[rows]``."""
    n = counts[rows]
    col = (rng.random(len(rows)) * np.maximum(n, 1)).astype(np.int64)
    return table[rows, col]


def _distinct(rng: np.random.Generator, table: np.ndarray, counts: np.ndarray, rows: np.ndarray,
              take: int, n_perm: int = 64) -> np.ndarray:
    """For each row index in ``rows``, ``take`` distinct entries of ``table[rows]`` (below
    ``counts[rows]``, which must be at least ``take``) in random order.

    Draws ``n_perm`` random permutations per table row once, then gives each output row a random
    permutation and a random rotation of it: O(len(rows) * take) gathers instead of a sort per row.
    """
    k_rows, width = table.shape
    keys = rng.random((k_rows, n_perm, width))
    keys[np.broadcast_to(np.arange(width) >= counts[:, None, None], keys.shape)] = 2.0
    perms = np.take_along_axis(np.broadcast_to(table[:, None, :], keys.shape), np.argsort(keys, axis=2), 2)
    n = counts[rows]
    p = rng.integers(0, n_perm, len(rows))
    rot = (rng.random(len(rows)) * n).astype(np.int64)
    pos = (rot[:, None] + np.arange(take)[None, :]) % n[:, None]
    return perms[rows[:, None], p[:, None], pos]


def _zh_descriptions(rng: np.random.Generator, ind: np.ndarray, t: _Tables) -> list[str]:
    """Business scopes (经营范围) for Chinese rows of industries ``ind``."""
    m = len(ind)
    n_items = t.ind_n_items[ind]
    items = _distinct(rng, t.ind_items, t.ind_n_items, ind, _MAX_ITEMS)  # (m, 8) global ids
    gens = _distinct(rng, t.ind_generic, t.ind_n_generic, ind, _MAX_GENERIC + 1)  # col 0 may go in front
    k_items = np.minimum(rng.integers(3, _MAX_ITEMS + 1, m), n_items)
    k_gen = rng.integers(2, 6, m)
    front = (rng.random(m) < 0.25).astype(np.int64)  # one generic item placed before the industry's

    # framing: 0 modern, 1 licence after, 2 licence first, 3 old style (no 一般项目)
    has_lic = t.ind_n_lic[ind] > 0
    style = _choice(rng, np.array([45, 25, 15, 15]), m)
    style[(~has_lic) & ((style == 1) | (style == 2))] = 0
    lic = t.ind_lic[ind, (rng.random(m) * np.maximum(t.ind_n_lic[ind], 1)).astype(np.int64)]
    clause = rng.random(m) < 0.7
    head_len = np.select(
        [style <= 1, style == 2],
        [5, 5 + t.lic_len[lic] + 1 + len(_C_LIC_LONG) + 5],
        0,
    )

    def tail_length() -> np.ndarray:
        return 1 + np.where(
            (style == 3), np.where(clause, len(_C_LIC), 0),
            np.where(clause | (style == 2), len(_C_GEN), 0)
        ) + np.where(style == 1, 5 + t.lic_len[lic] + len(_C_LIC), 0)

    tail_len = tail_length()
    rows = np.arange(m)
    item_cum = np.cumsum(t.item_len[items], axis=1)  # length of the first j+1 items, with separators
    gen_len = t.item_len[gens]
    back_cum = np.cumsum(gen_len[:, 1:], axis=1)  # generic slots after the items

    def total() -> np.ndarray:
        n_back = k_gen - front  # at least 1
        return (head_len + item_cum[rows, k_items - 1] + back_cum[rows, n_back - 1]
                + front * gen_len[:, 0] - 1 + tail_len)

    # grow each scope towards a target length drawn for the row: industry items first, then
    # generic items (up to 5), then the closing clause; below DESC_MIN, up to 7 generic items;
    # above DESC_MAX, drop items again
    target = rng.triangular(DESC_MIN, 150, DESC_MAX, m)
    cap = np.minimum(n_items, _MAX_ITEMS)
    for _ in range(32):
        length = total()
        want = length < target
        grow_i = want & (k_items < cap)
        grow_g = want & ~grow_i & (k_gen < 5)
        add_clause = want & ~grow_i & ~grow_g & ~clause
        grow_g2 = (length < DESC_MIN) & ~grow_i & ~grow_g & clause & (k_gen < _MAX_GENERIC)
        high = length > DESC_MAX
        if not (grow_i.any() or grow_g.any() or add_clause.any() or grow_g2.any() or high.any()):
            break
        k_items[grow_i] += 1
        k_gen[grow_g | grow_g2] += 1
        if add_clause.any():
            clause[add_clause] = True
            tail_len = tail_length()
        shrink_i = high & (k_items > 3)
        k_items[shrink_i] -= 1
        shrink_g = high & ~shrink_i & (k_gen > 2)
        k_gen[shrink_g] -= 1
    # the old style is the shortest frame; at full size the modern frame always reaches DESC_MIN
    short = (total() < DESC_MIN) & (style == 3)
    if short.any():
        style[short] = 0
        head_len[short] = 5
        tail_len = tail_length()

    # every piece but the first carries its leading separator, so a row is one "".join
    n, empty = t.n_items, 2 * t.n_items
    slots = [np.where(front == 1, gens[:, 0], empty), np.where(front == 1, items[:, 0] + n, items[:, 0])]
    slots += [np.where(j < k_items, items[:, j] + n, empty) for j in range(1, _MAX_ITEMS)]
    n_back = k_gen - front
    slots += [np.where(j <= n_back, gens[:, j] + n, empty) for j in range(1, _MAX_GENERIC + 1)]

    lic_txt = t.lic[lic]
    head = np.full(m, "", dtype=object)
    head[style <= 1] = "一般项目："
    s2 = style == 2
    head[s2] = "许可项目：" + lic_txt[s2] + "。" + _C_LIC_LONG + "一般项目："
    tail = np.full(m, "。", dtype=object)
    tail[(style <= 2) & (clause | s2)] = "。" + _C_GEN
    tail[(style == 3) & clause] = "。" + _C_LIC
    s1 = style == 1
    tail[s1] = tail[s1] + "许可项目：" + lic_txt[s1] + _C_LIC
    cols = [head.tolist()] + [t.item_text[x].tolist() for x in slots] + [tail.tolist()]
    return list(map("".join, zip(*cols, strict=True)))


def _en_descriptions(rng: np.random.Generator, ind: np.ndarray, t: _Tables) -> list[str]:
    """Short English company profiles for rows of industries ``ind``.

    ``<opening><p1>, <p2> and <p3><market>. <extra> <extra>``, with 2-4 phrases of the industry and
    1-3 extras of its role, grown or shrunk until the length is within bounds.
    """
    m = len(ind)
    rows = np.arange(m)
    role = t.role[ind]
    ph = _distinct(rng, t.ind_en_items, t.ind_n_en_items, ind, 4)
    ex = _distinct(rng, t.role_extras, t.role_n_extras, role, 3)
    opening = _pick(rng, t.role_opens, t.role_n_opens, role)
    market = rng.integers(0, len(t.market), m)
    k = rng.integers(2, 5, m)
    n_extra = rng.integers(1, 3, m)
    ph_cum = np.cumsum(t.en_item_len[ph], axis=1)
    ex_cum = np.cumsum(t.extra_len[ex] + 1, axis=1)  # each extra with its leading space

    def market_ids() -> np.ndarray:
        last = ph[rows, k - 1]
        return np.where((role == 0) & ~t.en_item_for[last], market, 0)  # market 0 is ""

    def total() -> np.ndarray:
        # separators: (k - 2) * ", " + " and "; ". " after the list; extras joined by spaces
        return (t.open_len[opening] + ph_cum[rows, k - 1] + 2 * (k - 2) + 5
                + t.market_len[market_ids()] + 2 + ex_cum[rows, n_extra - 1] - 1)

    for _ in range(12):
        length = total()
        low, high = length < DESC_MIN, length > DESC_MAX
        if not (low.any() or high.any()):
            break
        grow_e = low & (n_extra < 3)
        n_extra[grow_e] += 1
        k[low & ~grow_e & (k < 4)] += 1
        shrink_k = high & (k > 2)
        k[shrink_k] -= 1
        n_extra[high & ~shrink_k & (n_extra > 1)] -= 1

    blank = t.en_blank
    cols = [t.role_open[opening].tolist(), t.en_item[ph[:, 0]].tolist()]
    for j in (1, 2, 3):
        sep = np.where(j == k - 1, 2, np.where(j < k - 1, 1, 0))  # 0 "", 1 ", ", 2 " and "
        cols.append(t.list_sep[sep].tolist())
        cols.append(t.en_item[np.where(j < k, ph[:, j], blank)].tolist())
    cols.append(t.market[market_ids()].tolist())
    cols.append([". "] * m)
    cols.append(t.extra[ex[:, 0]].tolist())
    for j in (1, 2):
        cols.append(np.where(j < n_extra, " ", "").astype(object).tolist())
        cols.append(t.extra[np.where(j < n_extra, ex[:, j], t.extra_blank)].tolist())
    return list(map("".join, zip(*cols, strict=True)))


def _chunk(rng: np.random.Generator, m: int, english_share: float, t: _Tables) -> dict[str, np.ndarray]:
    """Generate ``m`` rows: text columns as object arrays, name parts as integer arrays."""
    ind = _choice(rng, t.weight, m)
    role = t.role[ind]
    is_en = rng.random(m) < english_share
    en_rows = np.flatnonzero(is_en)
    zh_rows = np.flatnonzero(~is_en)

    desc = np.empty(m, dtype=object)
    desc[zh_rows] = _zh_descriptions(rng, ind[zh_rows], t)
    desc[en_rows] = _en_descriptions(rng, ind[en_rows], t)

    # places
    city_i = _choice(rng, t.city_w, m)
    f_i = _choice(rng, t.f_w, m)
    city = t.city[city_i]
    country = t.city_country[city_i]
    city[en_rows] = t.f_city[_pick(rng, t.f_cities, t.f_n_cities, f_i[en_rows])]
    country[en_rows] = t.f_country[f_i[en_rows]]

    # name parts (kept as integers so duplicates can be redrawn cheaply)
    prefix = _pick(rng, t.city_prefix, t.city_n_prefix, city_i)
    word = _pick(rng, t.ind_words, t.ind_n_words, ind)
    en_word = _pick(rng, t.ind_en_words, t.ind_n_en_words, ind)
    suffix = _pick(rng, t.f_suffixes, t.f_n_suffixes, f_i)
    b1 = rng.integers(0, len(t.brand), m)
    b2 = rng.integers(0, len(t.brand), m)
    b3 = rng.integers(0, len(t.en_c), m)
    form = (rng.random(m) < 0.05).astype(np.int64)  # 股份有限公司

    # industry code for ~60 % of rows
    code = t.codes[_pick(rng, t.ind_codes, t.ind_n_codes, ind)]
    code[rng.random(m) >= 0.6] = ""

    # size and age
    maker = role == 0
    mu = np.select([role == 0, role == 1, role == 2], [np.log(150), np.log(60), np.log(12)], np.log(5))
    emp = np.clip(np.rint(np.exp(mu + rng.normal(0, 1.0, m))), 1, 30_000).astype(np.int64)
    per_head = np.exp(np.select([role == 2], [np.log(250)], np.log(60)) + rng.normal(0, 0.6, m))
    rev = np.maximum(emp * per_head, 1.0)
    rev_txt = np.where(rng.random(m) < 0.2, np.round(rev, 1), np.rint(rev))
    rev_blank = rng.random(m) < 0.15
    uniq, inv = np.unique(rev_txt, return_inverse=True)
    table = _obj([f"{v:.1f}" if v != int(v) else str(int(v)) for v in uniq])
    revenue = table[inv]
    revenue[rev_blank] = ""
    age = np.floor(rng.exponential(np.where(role == 3, 4.0, 12.0), m)).astype(np.int64)
    founded = np.clip(2025 - age, 1978, 2025)
    patents = np.where(
        role >= 2, 0,
        np.floor(rng.exponential(1.0, m) * np.sqrt(emp) * np.where(maker, 2.5, 0.8)).astype(np.int64),
    )

    # tags
    tags = np.empty(m, dtype=object)
    hk = country == "中国香港"
    foreign = is_en & ~hk
    for key, mask in (("maker", (role == 0) & ~is_en & ~hk), ("service", (role == 1) & ~is_en & ~hk),
                      ("trader", (role == 2) & ~is_en & ~hk), ("generic", (role == 3) & ~is_en & ~hk),
                      ("foreign", foreign), ("hk", hk)):
        rows = np.flatnonzero(mask)
        strings, weights = t.tags[key]
        tags[rows] = strings[_choice(rng, weights, len(rows))]

    # customers: about a quarter of makers with known buyers name one or two
    n_cust = t.ind_n_cust[ind]
    has_c = (n_cust > 0) & (role <= 1) & (rng.random(m) < 0.25)
    c1 = _pick(rng, t.ind_cust, t.ind_n_cust, ind)
    c2 = _pick(rng, t.ind_cust, t.ind_n_cust, ind)
    customers = np.full(m, "", dtype=object)
    rows = np.flatnonzero(has_c)
    customers[rows] = t.cust[c1[rows]]
    two = rows[(c2[rows] != c1[rows]) & (rng.random(len(rows)) < 0.4)]
    sep = np.where(rng.random(len(two)) < 0.8, "；", ";").astype(object)
    customers[two] = customers[two] + sep + t.cust[c2[two]]

    return {
        "description": desc, "city": city, "country": country, "industry_code": code,
        "employees": _int_text(emp, rng.random(m) < 0.08),
        "revenue": revenue,
        "founded": _int_text(founded, rng.random(m) < 0.05),
        "tags": tags, "customers": customers,
        "patents": _int_text(patents, rng.random(m) < 0.1),
        "_is_en": is_en, "_prefix": prefix, "_word": word, "_en_word": en_word,
        "_suffix": suffix, "_b1": b1, "_b2": b2, "_b3": b3, "_form": form,
    }


def _names(rng: np.random.Generator, parts: dict[str, np.ndarray], t: _Tables) -> np.ndarray:
    """Firm names; rows whose name repeats an earlier one get a new brand (a few rounds)."""
    is_en = parts["_is_en"]
    b1, b2, b3 = parts["_b1"], parts["_b2"], parts["_b3"]
    nb, na, nB, nc = len(t.brand), len(t.en_a), len(t.en_b), len(t.en_c)
    for _ in range(6):
        # integer keys equal exactly when the assembled strings are equal
        en_key = (((b1 % na) * nB + b2 % nB) * nc + t.en_c_uid[b3]) * 512 + parts["_en_word"]
        zh_key = ((b1 * nb + b2) * 512 + parts["_word"]) * 128 + parts["_prefix"]
        key = np.where(is_en, (en_key * 64 + parts["_suffix"]) * 2 + 1,
                       (zh_key * 2 + parts["_form"]) * 2)
        dup = pd.Series(key).duplicated().to_numpy()
        if not dup.any():
            break
        k = int(dup.sum())
        b1[dup] = rng.integers(0, nb, k)
        b2[dup] = rng.integers(0, nb, k)
        b3[dup] = rng.integers(0, nc, k)
    out = np.empty(len(is_en), dtype=object)
    zh, en = np.flatnonzero(~is_en), np.flatnonzero(is_en)
    zh_form = _obj(["有限公司", "股份有限公司"])
    out[zh] = list(map("".join, zip(
        t.prefix[parts["_prefix"][zh]].tolist(), t.brand[b1[zh]].tolist(), t.brand[b2[zh]].tolist(),
        t.words[parts["_word"][zh]].tolist(), zh_form[parts["_form"][zh]].tolist(),
        strict=True,
    )))
    # English brands reuse the brand draws as indices into the syllable tables
    space = [" "] * len(en)
    out[en] = list(map("".join, zip(
        t.en_a[b1[en] % na].tolist(), t.en_b[b2[en] % nB].tolist(), space, t.en_c[b3[en]].tolist(),
        t.en_words[parts["_en_word"][en]].tolist(), space, t.f_suffix[parts["_suffix"][en]].tolist(),
        strict=True,
    )))
    return out


def synthetic_firms(n: int, *, seed: int = 0, english_share: float = 0.1) -> pd.DataFrame:
    """Generate ``n`` realistic fictional candidate firms.

    Parameters
    ----------
    n : int
        Number of rows (0 or more).
    seed : int, default 0
        Seed of the NumPy generator; the same ``(n, seed, english_share)`` gives the same table.
    english_share : float, default 0.1
        Expected share of rows written as English profiles of foreign (and Hong Kong) investors,
        between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, description, city, country, industry_code, employees, revenue,
        founded, tags, customers, patents``, all of ``str`` dtype, gaps as ``""``.
        ``description`` is 100-300 characters: a Chinese business scope (3-8 items of one
        industry from :data:`INDUSTRIES`, 2-5 generic items, more only where needed to reach the
        minimum length, 一般项目 / 许可项目 framing) or an English profile. ``industry_code`` is a GB/T 4754-2017 class for about 60 % of rows;
        ``employees``, ``revenue`` (万元), ``founded`` and ``patents`` are integers (revenue
        sometimes with one decimal) written as text, a few blank. About 10 % of firms only
        trade and about 5 % are generic technology firms. Names are unique but for rare
        collisions.

    Raises
    ------
    ValueError
        If ``n`` is negative or ``english_share`` is outside ``[0, 1]``.

    Examples
    --------
    >>> df = synthetic_firms(1000, seed=1)
    >>> df.shape
    (1000, 11)
    >>> bool(df["description"].str.len().between(100, 300).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if not 0.0 <= float(english_share) <= 1.0:
        raise ValueError(f"english_share must be within [0, 1], got {english_share!r}")
    if n == 0:
        return pd.DataFrame({k: pd.Series([], dtype="str") for k in COLUMNS})
    t = _tables()
    rng = np.random.default_rng(seed)
    chunks = [_chunk(rng, min(_CHUNK, n - start), float(english_share), t)
              for start in range(0, n, _CHUNK)]
    parts = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    del chunks
    data = {"name": _names(rng, parts, t)}
    data.update({k: parts.pop(k) for k in COLUMNS if k != "name"})
    del parts
    return pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items()}, columns=list(COLUMNS))
