"""A firm's name read for its activity: the same masks whether a call holds few names or many."""

from __future__ import annotations

import numpy as np

from recommender.datasets import synthetic_firms
from recommender.matching._matcher import NAME_BATCH

NAMES = [
    "江门市某某投资有限公司", "深圳某某资本管理有限公司", "某某商贸（集团）有限公司", "某某物流服务有限公司", "  某某贸易有限公司  ",
    "Acme Capital", "ACME CAPITAL PARTNERS LTD.", "Acme Trading Co., Ltd.", "Acme Logistics (HK) Limited", "Acme Holdings Inc",
    "广东某某新材料科技有限公司", "Acme Battery Materials GmbH", "", None, "某某投资", "投资", "capital", "某某有限公司",
]


def test_few_names_and_many_give_the_same_masks(jiangmen):
    matcher = jiangmen.scorer.matcher
    names = NAMES + synthetic_firms(3 * NAME_BATCH, seed=11)["name"].tolist()
    whole = matcher.name_activity(names)  # one pyarrow pass
    assert len(names) >= NAME_BATCH
    by_few = np.concatenate([matcher.name_activity(names[i:i + 7]) for i in range(0, len(names), 7)])  # name by name
    assert by_few.tolist() == whole.tolist()
    named = whole[: len(NAMES)]
    assert named[NAMES.index("江门市某某投资有限公司")] and named[NAMES.index("Acme Capital")] and named[NAMES.index("Acme Trading Co., Ltd.")]
    assert not named[NAMES.index("广东某某新材料科技有限公司")] and not named[NAMES.index("Acme Battery Materials GmbH")]
    assert not named[NAMES.index("")] and not named[NAMES.index(None)]
