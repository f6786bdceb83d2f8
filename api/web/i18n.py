"""Every label of the workbench pages, in Chinese and English, and how a request picks one.

The language is ``?lang=zh|en`` when given (and then remembered in the ``lang`` cookie), else
the cookie, else Chinese.
"""

from __future__ import annotations

from fastapi import Request

__all__ = ["LANGS", "MESSAGES", "Translator", "pick_lang"]

LANGS = ("zh", "en")
COOKIE = "lang"

#: key -> (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "app_title": ("招商工作台", "Investment-promotion workbench"),
    "nav_rank": ("排序名单", "Rank a list"),
    "nav_jobs": ("任务列表", "Jobs"),
    "nav_map": ("产业链图谱", "Chain map"),
    "nav_score": ("单个企业评分", "Score one firm"),
    "nav_audit": ("变更记录", "Audit log"),
    "nav_docs": ("接口文档", "API docs"),
    "switch_lang": ("English", "中文"),
    "rank_intro": (
        "上传候选企业表（CSV：UTF-8/GBK/GB18030，或 XLSX；中英文表头均可），系统按图谱需求与落地可能性排序，每一行都会返回。",
        "Upload a candidate list (CSV in UTF-8/GBK/GB18030, or XLSX; Chinese or English headers). Every row comes back, ranked by need and likelihood.",
    ),
    "file": ("候选企业文件", "Candidate file"),
    "top_n": ("列出前 N 名", "List the top N"),
    "shortlist_k": ("短名单数量（0 为不选）", "Shortlist size (0: none)"),
    "start": ("开始排序", "Rank"),
    "progress": ("进度", "Progress"),
    "queued": ("排队中", "queued"),
    "running": ("排序中", "ranking"),
    "writing": ("生成文件中", "writing files"),
    "done": ("已完成", "done"),
    "failed": ("失败", "failed"),
    "rows_done": ("已处理行数", "rows done"),
    "open_results": ("查看结果", "Open the results"),
    "job": ("任务", "Job"),
    "jobs_title": ("排序任务", "Ranking jobs"),
    "no_jobs": ("还没有任务。", "No jobs yet."),
    "created": ("创建时间", "Created"),
    "file_name": ("文件", "File"),
    "state": ("状态", "State"),
    "rows": ("行数", "Rows"),
    "matched_rows": ("匹配到环节", "Matched a link"),
    "bad_rows": ("问题行", "Rows with problems"),
    "kept_days": ("任务保留 {days} 天。", "Jobs are kept for {days} days."),
    "rank": ("名次", "Rank"),
    "firm": ("企业", "Firm"),
    "chain_link": ("产业链 · 环节", "Chain · link"),
    "chain": ("产业链", "Chain"),
    "link": ("环节", "Link"),
    "action": ("招商类型", "Action"),
    "score": ("战略价值", "Score"),
    "likelihood": ("落地可能性", "Likelihood"),
    "priority": ("优先度", "Priority"),
    "park": ("推荐园区", "Park"),
    "confidence": ("置信度", "Confidence"),
    "reasons": ("理由", "Reasons"),
    "errors": ("问题", "Problems"),
    "shortlist": ("短名单", "Shortlist"),
    "all": ("全部", "all"),
    "filter": ("筛选", "Filter"),
    "reset": ("清除", "Reset"),
    "search_name": ("企业名称包含", "Name contains"),
    "score_min": ("最低分", "Score from"),
    "score_max": ("最高分", "Score to"),
    "errors_only": ("只看问题行", "Problem rows only"),
    "shortlist_only": ("只看短名单", "Shortlist only"),
    "sort_by": ("排序依据", "Sort by"),
    "descending": ("降序", "descending"),
    "ascending": ("升序", "ascending"),
    "page_of": ("第 {page} / {pages} 页，共 {total} 行", "Page {page} of {pages}, {total} rows"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "download_xlsx": ("下载 XLSX", "Download XLSX"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "coverage": ("短名单覆盖", "Shortlist coverage"),
    "no_rows": ("没有符合条件的行。", "No rows match."),
    "components": ("得分构成", "Score components"),
    "evidence": ("匹配依据", "Matched evidence"),
    "description": ("企业描述", "Description"),
    "likelihood_parts": ("落地可能性构成", "What moves the likelihood"),
    "baseline": ("基线", "baseline"),
    "prior_note": ("未使用落地模型，可能性取先验值。", "No landing model: the likelihood is the prior."),
    "link_in_chain": ("环节在产业链中的位置", "The link in its chain"),
    "seed_quote": ("依据原文", "Source sentence"),
    "second_link": ("第二匹配环节", "Second link"),
    "no_link": ("未匹配到任何环节。", "Matched no link."),
    "back_to_results": ("返回结果", "Back to the results"),
    "map_title": ("产业链图谱", "Chain map"),
    "gap_summary": ("缺口概览", "Gap summary"),
    "gaps": ("缺口", "gaps"),
    "missing": ("缺失", "missing"),
    "weak": ("薄弱", "weak"),
    "present": ("已有", "present"),
    "strong": ("较强", "strong"),
    "upstream": ("上游", "upstream"),
    "midstream": ("中游", "midstream"),
    "downstream": ("下游", "downstream"),
    "service": ("配套服务", "services"),
    "key_target": ("重点引进", "key target"),
    "target": ("引进目标", "target"),
    "normal": ("一般", "normal"),
    "quote_keywords": ("原文与关键词", "Quote and keywords"),
    "keywords": ("关键词", "Keywords"),
    "supplies": ("供应", "supplies"),
    "need": ("需求", "need"),
    "supply_edges": ("供应关系", "Supply edges"),
    "edit_link": ("修改环节", "Edit a link"),
    "edit_hint": ("需要 API 密钥；每次修改都记入变更记录。", "Needs an API key; every change goes into the audit log."),
    "status": ("状态", "Status"),
    "priority_level": ("引进优先级", "Priority"),
    "unchanged": ("（不变）", "(unchanged)"),
    "note": ("修改说明（必填）", "Note (required)"),
    "note_col": ("修改说明", "Note"),
    "api_key": ("API 密钥", "API key"),
    "save": ("保存", "Save"),
    "saved": ("已保存：{link} {before} → {after}", "Saved: {link} {before} → {after}"),
    "no_change": ("没有变化。", "Nothing changed."),
    "note_required": ("请填写修改说明。", "A note is required."),
    "audit_title": ("图谱变更记录", "Map changes"),
    "show": ("查看", "Show"),
    "who": ("修改人", "Who"),
    "when": ("时间（UTC）", "When (UTC)"),
    "before": ("修改前", "Before"),
    "after": ("修改后", "After"),
    "no_entries": ("没有记录。", "No entries."),
    "score_intro": ("填写企业信息，得到与 POST /v1/score 相同的评分。", "Fill in a firm; the answer is the same as POST /v1/score."),
    "name": ("企业名称", "Name"),
    "city": ("所在城市", "City"),
    "country": ("国家/地区", "Country"),
    "industry_code": ("行业代码", "Industry code"),
    "employees": ("员工人数", "Employees"),
    "revenue": ("营业收入（万元）", "Revenue (10k yuan)"),
    "founded": ("成立年份", "Founded"),
    "tags": ("资质标签（以 ; 分隔）", "Tags (separated by ;)"),
    "customers": ("主要客户", "Customers"),
    "patents": ("专利数", "Patents"),
    "submit_score": ("评分", "Score"),
    "map_version": ("图谱版本", "Map version"),
    "model_version": ("模型版本", "Model version"),
    "not_found": ("未找到。", "Not found."),
    "bad_file": ("无法读取该文件：{message}", "The file cannot be read: {message}"),
    "bad_type": ("不支持的文件类型 {suffix}；请上传 .csv 或 .xlsx（旧版 .xls 请另存为 .xlsx）。",
                 "Unsupported file type {suffix}; upload a .csv or .xlsx (save a legacy .xls as .xlsx)."),
    "too_big": ("文件超过 {limit} 字节的上限。", "The file is over the limit of {limit} bytes."),
    "no_file": ("请选择一个文件。", "Choose a file."),
    "invalid_number": ("{field} 须为非负数字。", "{field} must be a non-negative number."),
    # users and sign-in
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "user_name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "role_viewer": ("查看者", "viewer"),
    "role_officer": ("招商专员", "officer"),
    "role_admin": ("管理员", "admin"),
    "acting_as": ("以 {name}（{role}）身份修改，记入变更记录。", "Changes are made as {name} ({role}) and recorded."),
    "no_users_yet": ("尚未配置用户：排序、结果和图谱可直接使用，修改已禁用。创建管理员：recommender users add NAME --role admin",
                     "No users are configured: ranking, results and the map are open; changes are disabled. "
                     "Create an admin with: recommender users add NAME --role admin"),
    "no_users_changes": ("尚未配置用户，修改已禁用。请先创建用户（recommender users add NAME --role admin）并登录；图谱修改也可填写管理员 API 密钥。",
                         "No users are configured, so changes are disabled. Create a user (recommender users add NAME --role admin) "
                         "and sign in; a map edit also takes an admin API key."),
    "needs_role": ("权限不足：此操作需要 {role} 角色（当前为 {have}）。", "Not allowed: this needs the {role} role (you have {have})."),
    "not_ready": ("服务尚未就绪，请稍后再试。", "The service is not ready; try again shortly."),
}


class Translator:
    """``t("key")`` or ``t("key", n=3)``: the label in one language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "zh"
        self._index = LANGS.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        text = pair[self._index] if pair else key
        return text.format(**values) if values else text


def pick_lang(request: Request, lang: str | None) -> str:
    """The page language: the query's, else the cookie's, else Chinese."""
    if lang in LANGS:
        return lang
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGS else "zh"
