"""What a command that only ranks or scores loads: training's libraries, the landing pipeline's
estimators and skops stay out of it (a saved model is read as its tables)."""

import subprocess
import sys


def test_scoring_path_does_not_import_training_libraries():
    code = (
        "import sys, recommender, recommender.cli\n"
        "from recommender import Recommender\n"
        "Recommender().score_many([{'name': 'x', 'description': '锂电池正极材料制造'}])\n"
        "Recommender(model='demo').score_many([{'name': 'x', 'description': '锂电池正极材料制造'}])\n"
        "heavy = sorted(m for m in ('sklearn.linear_model', 'sklearn.calibration', 'sklearn.svm', 'sklearn.pipeline', 'skops',\n"
        "                           'recommender.likelihood._estimators', 'recommender.likelihood._training') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"scoring imported training libraries: {out.stdout.strip()}"


def test_training_still_reaches_its_libraries():
    from recommender.likelihood import make_landing_pipeline, ranking_metrics

    assert type(make_landing_pipeline()).__module__ == "sklearn.pipeline"

    metrics = ranking_metrics([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], [0.1, 0.9, 0.2, 0.8])
    assert metrics["roc_auc"] == 1.0
