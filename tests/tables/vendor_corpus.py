"""A corpus of candidate lists laid out as vendor exports and officers' sheets have them.

Each layout is written twice from the same rows: as a GBK CSV (every value text, as an export
saved "CSV" in Excel has it) and as an XLSX (merged title cells, real date and number cells).
:data:`LAYOUTS` holds, per layout, the header rows and what the named rows must yield.

Run ``python tests/tables/vendor_corpus.py DIR`` to write the files into DIR.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl


@dataclass
class Layout:
    """Rows of one file (``None`` an empty cell), merges (XLSX ranges) and what it must yield."""

    name: str
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)
    header_rows: tuple[int, ...] = (1,)
    expect: dict[str, dict[str, object]] = field(default_factory=dict)  # firm name -> profile field -> value
    kinds: dict[int, str] = field(default_factory=dict)  # file row -> kind of a row that is not an active firm
    duplicates: dict[int, int] = field(default_factory=dict)  # file row -> row of its first copy


QCC = Layout(  # 企查查-style: a merged title row, a blank row, Excel date cells, units, statuses, totals and notes
    name="qichacha",
    rows=[
        ["2025年重点招商企业名单", None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [],
        ["序号", "企业名称", "登记状态", "法定代表人", "注册资本", "成立日期", "统一社会信用代码", "所属省份", "所属城市", "所属区县",
         "电话", "企业类型", "国标行业大类", "参保人数", "经营范围"],
        [1, "深圳市甲锂电科技有限公司", "存续", "张三", "5000万元人民币", dt.datetime(2012, 8, 8), "91440300MA5EXAMPL1", "广东省", "深圳市",
         "南山区", "0755-12345678", "有限责任公司(外商投资、非独资)", "电气机械和器材制造业", "少于50人", "锂离子电池正极材料研发、生产"],
        [2, "江门市乙新材料有限公司", "注销", "李四", "1.2亿元", "2010/5/12", "91440700MA5EXAMPL2", "广东省", None, "蓬江区",
         "-", "其他有限责任公司", "化学原料和化学制品制造业", "100-499人", "锂电池电解液生产"],
        [3, "佛山市丙电机有限公司", "在业", "王五", "300万美元", "2000年8月7日", "91440600MA5EXAMPL3", "广东省", "佛山市", "顺德区",
         "--", "有限责任公司(台港澳法人独资)", "电气机械和器材制造业", "abc人", "电机及控制器制造"],
        [4, "深圳市甲锂电科技有限公司", "存续", "张三", "5000万元人民币", dt.datetime(2012, 8, 8), "91440300MA5EXAMPL1", "广东省", "深圳市",
         "南山区", None, "有限责任公司", "电气机械和器材制造业", "少于50人", "锂离子电池正极材料研发、生产"],
        [5, "东莞市丁光电股份有限公司", "吊销，未注销", "赵六", "暂无", 41129, "91441900MA5EXAMPL5", "广东省", None, None, "未公开",
         "股份有限公司(上市)", "计算机、通信和其他电子设备制造业", "大于10000人", "光电显示模组制造"],
        ["合计", None, None, None, "2.3亿元", None, None, None, None, None, None, None, None, None, None],
        ["数据来源：企查查，导出时间 2025-06-01"],
    ],
    merges=["A1:O1"],
    header_rows=(3,),
    expect={
        "深圳市甲锂电科技有限公司": {"city": "深圳", "founded": 2012, "employees": 25.0, "employees_low": 0, "employees_high": 49, "capital": 5000.0, "tags": "外资", "industry_code": "38"},
        "江门市乙新材料有限公司": {"city": "江门", "founded": 2010, "capital": 12000.0, "employees": 300.0, "employees_low": 100, "employees_high": 499, "kind": "inactive"},
        "佛山市丙电机有限公司": {"founded": 2000, "capital": 2136.0, "tags": "港澳台资", "employees": None},
        "东莞市丁光电股份有限公司": {"founded": 2012, "employees": 10000.0, "employees_low": 10000, "employees_high": None, "capital": None, "kind": "inactive"},
    },
    kinds={5: "inactive", 8: "inactive", 9: "total", 10: "note"},
    duplicates={7: 4},
)

TYC = Layout(  # 天眼查-style: a title, a two-row header (a group cell merged over two columns), money and headcounts as words
    name="tianyancha",
    rows=[
        ["天眼查 · 企业列表", None, None, None, None, None],
        ["公司名称", "经营状态", "联系方式", None, "注册资本", "成立时间", "人员规模", "营业收入", "所属行业", "企业地址"],
        [None, None, "电话", "邮箱", None, None, None, None, None, None],
        ["江门市戊电子有限公司", "存续", "0750-1234567", "a@example.cn", "800万港元", "2015.03.01", "50-99人", "约3000万", "计算机、通信和其他电子设备制造业",
         "广东省江门市江海区高新区"],
        [None, None, None, None, None, None, None, None, None, None],
        ["中山市己机械有限公司", "停业", "/", "/", "500万人民币", "１９９８年", "--", "1,200", "通用设备制造业", "广东省中山市火炬开发区"],
        ["江门市戊电子股份有限公司", "存续", None, None, "800万港元", "2015-03-01", "50-99人", "3000万元", "计算机、通信和其他电子设备制造业",
         "广东省江门市江海区"],
        ["小计", None, None, None, None, None, None, "4200万", None, None],
    ],
    merges=["A1:F1", "C2:D2"],
    header_rows=(2, 3),
    expect={
        "江门市戊电子有限公司": {"city": "江门", "founded": 2015, "employees": 75.0, "employees_low": 50, "employees_high": 99, "revenue": 3000.0, "capital": 729.6, "industry_code": "39"},
        "中山市己机械有限公司": {"city": "中山", "founded": 1998, "revenue": 1200.0, "capital": 500.0, "kind": "inactive"},
    },
    kinds={5: "blank", 6: "inactive", 8: "total"},
    duplicates={7: 4},
)

QXB = Layout(  # 启信宝-style: names merged down over a two-row header, group cells above the field names
    name="qixinbao",
    rows=[
        ["企业名称", "工商信息", None, "规模", None, "科技型企业标签", "专利数量"],
        [None, "成立日期", "登记状态", "人员规模", "营业收入(元)", None, None],
        ["鹤山市庚智能装备有限公司", dt.datetime(2019, 1, 15), "开业", "300-499人", 52_000_000, "高新技术企业;专精特新", "１２"],
        ["开平市辛卫浴有限公司", "2008-06", "迁出", "少于50人", "-", "", "暂无"],
        ["注：营业收入为2024年数据"],
    ],
    merges=["A1:A2", "B1:C1", "D1:E1"],
    header_rows=(1, 2),
    expect={
        "鹤山市庚智能装备有限公司": {"founded": 2019, "employees": 400.0, "revenue": 5200.0, "patents": 12.0, "tags": "高新技术企业;专精特新"},
        "开平市辛卫浴有限公司": {"founded": 2008, "employees": 25.0, "revenue": None, "patents": None, "kind": "inactive"},
    },
    kinds={4: "inactive", 5: "note"},
)

_QCC_HEADER = [
    "序号", "企业名称", "英文名", "登记状态", "法定代表人", "注册资本", "实缴资本", "成立日期", "核准日期", "统一社会信用代码", "企业类型",
    "所属省份", "所属城市", "所属区县", "企业地址", "国标行业门类", "国标行业大类", "国标行业中类", "国标行业小类", "参保人数", "人员规模",
    "电话", "更多电话", "邮箱", "网址", "股票代码", "上市状态", "企业规模", "经营范围",
]


def _qcc(no, name, status, capital, paid, founded, code, kind, city, district, address, staff, size, tel, stock, listing, scope,
         classes=("制造业", "电气机械和器材制造业", "电池制造", "锂离子电池制造")):
    return [no, name, "", status, "张三", capital, paid, founded, dt.datetime(2024, 3, 1), code, kind, "广东省", city, district, address,
            *classes, staff, size, tel, "13800138000", "ir@example.cn", "www.example.cn", stock, listing, "", scope]


QCC_EXPORT = Layout(  # a whole 企查查 batch export: a title, an export-time line, a blank row, group cells over the header
    name="qichacha_export",
    rows=[
        ["企查查 · 批量导出 · 锂电池相关企业", *[None] * 28],
        ["导出时间：2025-06-01 10:00:00"],
        [],
        ["基本信息", None, None, None, None, "工商信息", None, None, None, None, None, "地区", None, None, None, "行业", None, None, None,
         "规模", None, "联系方式", None, None, None, "上市信息", None, None, None],
        _QCC_HEADER,
        _qcc(1, "广东甲锂能科技股份有限公司", "存续（在营、开业、在册）", "5000万元人民币", "3000万元人民币", dt.datetime(2012, 8, 8),
             "91440300MA5DAAAA1X", "股份有限公司(上市、自然人投资或控股)", "深圳市", "南山区", "深圳市南山区科技园", "1,234", "1000-4999人",
             "0755-26888888", "001234", "A股上市", "锂离子电池、正极材料的研发、生产和销售"),
        _qcc(2, "江门市乙新材料有限公司", "注销", "1.2亿元", "-", "2010/5/12", "91440700MA5DAAAA2X", "其他有限责任公司", "", "蓬江区",
             "广东省江门市蓬江区", "-", "100-499人", "-", "", "", "锂电池电解液生产", ("制造业", "化学原料和化学制品制造业", "", "")),
        _qcc(3, "佛山丙电机(集团)有限公司", "在业", "300万美元", "--", "2000年8月7日", "91440600MA5DAAAA3X", "有限责任公司(台港澳法人独资)",
             "佛山市", "顺德区", "广东省佛山市顺德区", "abc人", "", "0757-1234567", "", "", "电机及控制器制造",
             ("制造业", "电气机械和器材制造业", "", "")),
        _qcc(4, "广东甲锂能科技有限公司", "存续", "5000万元", "", dt.datetime(2012, 8, 8), "91440300MA5DAAAA1X", "有限责任公司", "深圳市",
             "南山区", "", "", "1000-4999人", "", "", "", "锂离子电池的研发、生产"),
        _qcc(5, "佛山丙电机（集团）有限公司", "在业", "300万美元", "", "2000-08-07", "-", "有限责任公司", "佛山市", "顺德区", "", "", "50-99人",
             "", "", "", "电机制造"),
        _qcc(6, "东莞市丁光电股份有限公司", "吊销，未注销", "暂无", "暂无", 41129, "91441900MA5DAAAA6X", "股份有限公司", "", "", "", "未公开",
             "大于10000人", "未公开", "", "", "光电显示模组制造", ("制造业", "计算机、通信和其他电子设备制造业", "", "")),
        _qcc(7, "中山市戊精密有限公司", "迁出", "2000万", "", "2016-09-30", "91442000MA5DAAAA7X", "有限责任公司", "中山市", "", "", "", "少于50人",
             "", "", "", "精密模具制造"),
        _qcc(8, "江门市己储能科技有限公司", "存续", "800万港元", "", dt.datetime(2019, 1, 15), "91440700MA5DAAAA8X",
             "有限责任公司(港澳台投资、非独资)", "-", "-", "广东省江门市江海区高新区金瓯路1号", "", "50-99人", "0750-3888888", "", "",
             "储能电池系统集成、储能变流器制造"),
        _qcc(9, "惠州庚电子有限公司", "存续", "１０００万元", "", "２０１８－０３－０１", "91441300MA5DAAAA9X", "有限责任公司(外商投资、非独资)",
             "惠州市", "仲恺区", "", "未公开", "--", "", "", "", "锂电池保护板、电子元器件生产", ("制造业", "计算机、通信和其他电子设备制造业", "", "")),
        _qcc(10, "珠海辛新能源有限公司", "停业", "500万元", "", "2015", "91440400MA5DAAAB0X", "有限责任公司", "珠海市", "", "", "", "少于50人",
             "", "", "", "锂电池回收"),
        _qcc(11, "", "存续", "100万元", "", "2020-01-01", "91440700MA5DAAAB1X", "有限责任公司", "江门市", "", "", "", "", "", "", "",
             "电池材料销售"),
        [],
        ["合计", None, None, None, None, "2.3亿元"],
        ["注：注册资本、人员规模为企业公示数据，仅供参考"],
        ["数据来源：企查查"],
    ],
    merges=["A1:AC1", "A4:E4", "F4:K4", "L4:O4", "P4:S4", "T4:U4", "V4:Y4", "Z4:AC4"],
    header_rows=(5,),
    expect={
        "广东甲锂能科技股份有限公司": {"city": "深圳", "founded": 2012, "employees": 1234.0, "capital": 5000.0, "industry_code": "3841", "tags": "上市"},
        "江门市乙新材料有限公司": {"city": "江门", "founded": 2010, "capital": 12000.0, "employees": 300.0, "employees_low": 100,
                              "employees_high": 499, "industry_code": "26", "kind": "inactive"},
        "佛山丙电机(集团)有限公司": {"city": "佛山", "founded": 2000, "capital": 2136.0, "tags": "港澳台资", "employees": None},
        "东莞市丁光电股份有限公司": {"founded": 2012, "employees": 10000.0, "employees_low": 10000, "employees_high": None, "capital": None,
                                "kind": "inactive"},
        "中山市戊精密有限公司": {"employees": 25.0, "employees_low": 0, "employees_high": 49, "kind": "inactive"},
        "江门市己储能科技有限公司": {"city": "江门", "founded": 2019, "capital": 729.6, "employees": 75.0, "tags": "港澳台资", "industry_code": "3841"},
        "惠州庚电子有限公司": {"city": "惠州", "founded": 2018, "capital": 1000.0, "employees": None, "tags": "外资", "industry_code": "39"},
        "珠海辛新能源有限公司": {"founded": 2015, "kind": "inactive"},
    },
    kinds={7: "inactive", 11: "inactive", 12: "inactive", 15: "inactive", 17: "blank", 18: "total", 19: "note", 20: "note"},
    duplicates={9: 6, 10: 8},
)

LAYOUTS = (QCC, TYC, QXB, QCC_EXPORT)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y/%m/%d")  # what Excel's "CSV" export writes for a date cell
    return str(value)


def write_csv(layout: Layout, path: Path) -> Path:
    """The layout as a GBK CSV; every row as wide as the widest (Excel pads with commas)."""
    width = max(len(row) for row in layout.rows)
    lines = [",".join(_quote(_text(v)) for v in [*row, *[None] * (width - len(row))]) for row in layout.rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def _quote(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ',"\n') else text


def write_xlsx(layout: Layout, path: Path) -> Path:
    """The layout as a workbook: numbers and dates as cells of their type, the merges applied."""
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(layout.rows, start=1):
        for j, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(i, j, value)
                if isinstance(value, dt.datetime):
                    sheet.cell(i, j).number_format = "yyyy-mm-dd"
    for cells in layout.merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def write_all(folder: Path) -> list[tuple[Layout, Path]]:
    """Every layout as ``<name>.csv`` (GBK) and ``<name>.xlsx`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for layout in LAYOUTS:
        out.append((layout, write_csv(layout, folder / f"{layout.name}.csv")))
        out.append((layout, write_xlsx(layout, folder / f"{layout.name}.xlsx")))
    return out


if __name__ == "__main__":
    for _, written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "vendor_corpus")):
        print(written)
