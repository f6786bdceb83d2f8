"""python_strings: pandas keeps text as Python strings inside, and what was set before after."""

import threading

import numpy as np
import pandas as pd

from recommender._columnar import python_strings


def _storage() -> str:
    return pd.Series(np.array(["甲", "b"], dtype=object)).dtype.storage


def test_text_columns_are_python_strings_inside_and_the_option_comes_back_after():
    before = pd.get_option("mode.string_storage")
    outside = _storage()
    with python_strings():
        assert _storage() == "python"
        frame = pd.DataFrame({"name": ["甲", "乙"]})
        assert frame["name"].dtype == "str" and frame["name"].tolist() == ["甲", "乙"]
        with python_strings():  # nested: still python
            assert _storage() == "python"
        assert _storage() == "python"
    assert pd.get_option("mode.string_storage") == before and _storage() == outside


def test_threads_inside_at_once_keep_it_until_the_last_leaves():
    before = pd.get_option("mode.string_storage")
    inside, leave, seen = threading.Barrier(2), threading.Event(), []

    def first():
        with python_strings():
            inside.wait()
        leave.set()  # the first thread is out; the second is still inside

    def second():
        with python_strings():
            inside.wait()
            leave.wait(10)
            seen.append(_storage())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == ["python"]
    assert pd.get_option("mode.string_storage") == before
