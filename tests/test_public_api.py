"""The public names of the library and of each stage, pinned (a change here is an API change)."""

import importlib

import pytest

#: Each package's public names: adding, removing or renaming one is an API change, made here on purpose.
PINNED = {
    "recommender": {
        "ACTIONS", "COMPONENTS", "ChainMap", "Component", "Coverage", "EncodingError", "InputFileError", "LinkMatcher",
        "MapError", "ModelError", "OUTPUT_COLUMNS", "OutputFileError", "ProfileError", "RankReport", "Recommender",
        "RecommenderError", "Result", "STAGES", "STATUSES", "Scorer", "__version__", "default_map_dir", "encode_links",
        "link_vocabulary", "load_map"
    },
    "recommender.chainmap": {
        "ACTIONS", "AuditEntry", "AuditLog", "COMPONENTS", "COMPONENT_NAMES", "Chain", "ChainMap", "GAP_STATUSES",
        "HISTORY_DIR", "Ident", "LINK_FEATURE_COLUMNS", "Leader", "Link", "LinkChange", "LinkNotFoundError", "Names",
        "PRESENCE", "PRIORITIES", "Park", "Priority", "Quote", "STAGES", "STAGE_NAMES", "STATUSES", "STATUS_NAMES",
        "Status", "Strategy", "UPDATABLE_FIELDS", "Vocabulary", "default_map_dir", "encode_links", "load_map", "update_link"
    },
    "recommender.matching": {"LinkMatcher", "MatchResult", "PhraseSet", "activity_words", "link_vocabulary", "map_matcher", "name_words", "other_class_words"},
    "recommender.scoring": {
        "COMPONENT_COLUMNS", "DETAIL_COLUMNS", "FIELDS", "LANGUAGES", "NUMERIC_BOUNDS", "NUMERIC_FIELDS", "PRIORS",
        "RANGE_COLUMNS", "RESULT_COLUMNS", "Scorer", "explain_columns",
        "explain_frame", "likelihood_reasons", "profile_columns",
        "profile_records"
    },
    "recommender.likelihood": {
        "ALLOWED_TYPES", "AdditiveBinner", "AdditiveLogisticClassifier", "BASELINES", "CATEGORICAL_FEATURES",
        "DATE_HEADERS", "DEFAULT_MODEL", "Evaluation", "FEATURE_COLUMNS", "FEATURE_LABELS", "Factor", "History",
        "LandingEstimate", "LandingModel", "LandingTables", "METRICS", "ModelInfo", "NEGATIVE_OUTCOMES", "NUMERIC_FEATURES",
        "OUTCOME_HEADERS", "POSITIVE_OUTCOMES", "PRIOR_LIKELIHOOD", "PRIOR_VERSION", "SYNTHETIC_LABEL", "TRUSTED_TYPES",
        "default_models_dir", "estimate_landing", "feature_columns", "feature_frame", "landing_tables", "link_fingerprint",
        "list_versions", "load_model", "make_landing_pipeline", "model_card", "priority", "ranking_metrics", "read_history",
        "save_model", "train_landing"
    },
    "recommender.ranking": {
        "Coverage", "OUTPUT_COLUMNS", "RANK_DEFAULTS", "RANKED_RESULT_COLUMNS", "RankOptions", "RankReport", "SORT_KEY_COLUMNS", "ScoredChunk",
        "output_names", "rank_file", "rank_frame", "rank_order", "score_chunk", "shortlist"
    },
    "recommender.tables": {
        "CANONICAL_COLUMNS", "ColumnUse", "FX_DATE", "FX_RATES", "Headcount", "InputTable", "PASSTHROUGH_COLUMNS",
        "TableChunk", "TableWriter", "VENDOR_COLUMNS", "XLSX_MAX_ROWS", "check_output_path", "column_report",
        "encode_csv_rows", "find_header", "format_column_report", "is_missing", "neutralise", "notes_rows", "open_table",
        "output_errors", "parse_count", "parse_headcount", "parse_money", "parse_year", "write_table"
    },
    "recommender.analysis": {
        "CHAIN_COLUMNS", "CJK_FONT_CANDIDATES", "COMPONENT_COLORS", "LABELS", "MOVE_COLUMNS", "MissingFontWarning",
        "NO_LINK_COLOR", "STATUS_COLORS", "Style", "chains_frame", "close_gap", "coverage_bars", "effect_bars",
        "feature_parts", "find_cjk_font", "gap_heatmap", "gap_matrix", "legend_patches", "likelihood_drivers", "link_needs",
        "rank_changes", "rank_moves", "read_firms", "readable", "roc_and_calibration", "score_bars", "supply_graph",
        "value_vs_likelihood"
    },
    "recommender.datasets": {
        "INDUSTRIES", "synthetic_firms"
    },
    "recommender.reference": {
        "INDUSTRY_LEVELS", "IndustryClass", "Place", "city_of", "industry_class", "industry_code_for_name", "resolve_place"
    },
}


@pytest.mark.parametrize("package", sorted(PINNED))
def test_public_names_resolve_and_are_sorted(package):
    module = importlib.import_module(package)
    names = module.__all__
    assert len(names) == len(set(names)), f"{package}.__all__ repeats a name"
    for name in names:
        assert hasattr(module, name), f"{package}.__all__ names {name!r}, which the package does not define"
    assert module.__doc__ and module.__doc__.strip(), f"{package} has no docstring saying what it owns"


def test_private_modules_export_only_through_their_package():
    import pkgutil

    import recommender

    for info in pkgutil.walk_packages(recommender.__path__, "recommender."):
        leaf = info.name.rsplit(".", 1)[1]
        if info.ispkg or leaf in {"cli", "exceptions"}:
            continue
        assert leaf.startswith("_"), f"{info.name} is a public module; modules are private, their names re-exported by the package"


@pytest.mark.parametrize("package", sorted(PINNED))
def test_public_names_are_the_pinned_ones(package):
    names = set(importlib.import_module(package).__all__)
    assert names == PINNED[package], f"{package}: added {sorted(names - PINNED[package])}, removed {sorted(PINNED[package] - names)}"
    assert not [name for name in names if name.startswith("_") and name != "__version__"], f"{package} exports a private name"
