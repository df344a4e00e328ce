"""The results contract: every file the stock notebooks write into ``results/``, declared once.

Notebooks 01-06 save the tidy table behind each table and chart (``Report.save``); notebook 07, the executive
summary (:mod:`crmreport.analyses.summary`), reads some of them back in the same run and in the next period's run.
Each file is declared here with the notebook that writes it, its columns in order, its key (the columns that name a
row) and, for the summary, the label of the row over everyone (:data:`ALL`). ``Report.save`` refuses a declared
file with a column the contract does not name; ``tests/test_results_contract.py`` checks a demo run's files against
it (declared files present with their columns, written files declared); docs/architecture.md lists them.

In a declaration, ``customer_id*`` marks a key column and ``summary_red_health?`` a column that is only there
sometimes (the red-health count when notebook 06 ran). ``{campaign}`` in a name stands for a campaign id, ``more``
says which columns the data adds (one per segment found, ...) and ``only_when`` when a file is written at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: the label of the row over every segment, owner or priority (``segment == "all"`` in ``ab_tests.csv``)
ALL = "all"
#: ``only_when`` of the files comparing with the previous period's report
PREVIOUS = "the previous period's report exists"
Notebook = Literal["01", "02", "03", "04", "05", "06", "07"]


@dataclass(frozen=True)
class ResultFile:
    """One declared results file: ``results/<name>.csv`` (and ``<name>.xlsx`` when ``workbook``).

    ``columns`` in order; ``key`` names a row; ``optional`` columns are there only sometimes; ``more`` says which
    further columns the data adds; ``only_when`` says when the file is written at all (every other file is written
    whenever its notebook runs and the source has the tables its section needs).
    """

    notebook: Notebook
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    more: str = ""
    workbook: bool = False
    only_when: str = ""

    @property
    def file(self) -> str:
        """The CSV's file name, e.g. ``ab_tests.csv``."""
        return f"{self.name}.csv"

    def matches(self, stem: str) -> bool:
        """Whether a file stem (``ab_results_rates_SMS-2025Q3``) is this file."""
        return re.fullmatch(re.escape(self.name).replace(re.escape("{campaign}"), r"[\w-]+"), stem) is not None

    def unexpected(self, columns: list[str]) -> list[str]:
        """Columns the contract does not name (none when the data adds columns, see ``more``)."""
        return [] if self.more else [c for c in columns if c not in self.columns]

    def problems(self, columns: list[str]) -> list[str]:
        """What a written file's header breaks: declared columns missing, out of order, or not declared."""
        found = [c for c in self.columns if c in columns]
        missing = [c for c in self.columns if c not in columns and c not in self.optional]
        problems = [f"{self.file}: column `{c}` is missing" for c in missing]
        problems += [f"{self.file}: column `{c}` is not in the contract" for c in self.unexpected(columns)]
        if found != [c for c in columns if c in self.columns]:
            problems.append(f"{self.file}: columns {columns} are not in the declared order {list(self.columns)}")
        return problems


def _file(notebook: Notebook, name: str, columns: str, **options: object) -> ResultFile:
    words = columns.split()
    return ResultFile(notebook, name, tuple(w.rstrip("*?") for w in words),
                      key=tuple(w.rstrip("*") for w in words if w.endswith("*")),
                      optional=tuple(w.rstrip("?") for w in words if w.endswith("?")), **options)


RESULT_FILES: tuple[ResultFile, ...] = (
    # notebook 01
    _file("01", "chart_channels", "channel* direction* interactions share"),
    _file("01", "chart_customer_base", "dimension* value* before after change relative_change direction"),
    _file("01", "chart_lorenz", "share_of_customers* share_of_amount gini"),
    _file("01", "chart_monthly_activity", "month* revenue orders active_customers new_customers"),
    _file("01", "chart_need_tags", "tag* customers share"),
    _file("01", "chart_recency", "band* customers share event*"),
    _file("01", "chart_scores", "score* responses share question*"),
    _file("01", "chart_spend_distribution", "customer_id* customer_type measure* amount"),
    _file("01", "chart_tenure", "band* customers share"),
    _file("01", "chart_tickets_by_category", "category* tickets share"),
    _file("01", "concentration", "top_share_of_customers* customers share_of_amount"),
    _file("01", "customer_base_summary", "metric* before after change relative_change direction"),
    _file("01", "customer_profile", "customer_id* name industry size_tier cooperation_months cumulative_amount "
                                    "last_transaction_date last_interaction_date satisfaction complaint_count "
                                    "key_contact need_tags", workbook=True),
    _file("01", "customers_by_account_manager", "account_manager* before after change relative_change direction"),
    _file("01", "data_quality", "table* rows_read duplicates_removed quarantined kept completeness freshness_days "
                                "orphan_keys owner_coverage"),
    _file("01", "data_quality_columns", "table* column* completeness validity uniqueness rows_affected"),
    _file("01", "data_quality_issues", "table* column* issue* detail rows_affected share"),
    _file("01", "nps", "n promoters passives detractors nps ci_low ci_high message"),
    _file("01", "outbound_response_rates", "channel* outbound responded response_rate ci_low ci_high "
                                           "response_rate_before change"),
    _file("01", "row_accounting", "table* rows_read duplicates_removed quarantined kept quarantine_reasons"),
    _file("01", "value_summary", "metric* before after change relative_change direction"),
    _file("01", "voice_summary", "metric* before after change direction"),
    # notebook 02
    _file("02", "action_list", "customer_id* name segment lifecycle_stage churn_risk strategy owner due_date "
                               "annual_amount", workbook=True),
    _file("02", "action_capacity", "owner* tasks weekly_pace pace_measured by_playbook first_due last_due"),
    _file("02", "action_segments", "segment* strategy owner owners customers first_due last_due"),
    _file("02", "at_risk_customers", "customer_id* segment lifecycle_stage risk_flags recency_days response_rate "
                                     "complaints_6m trend annual_amount"),
    _file("02", "chart_nine_box", "segment* value_tier potential_tier customers customer_share annual_amount "
                                  "revenue_share mean_annual_amount"),
    _file("02", "chart_rfm_grid", "r_score* f_score* customers"),
    _file("02", "chart_segment_migration", "from_segment* to_segment* customers annual_amount"),
    _file("02", "chart_silhouette", "k* silhouette chosen"),
    _file("02", "churn_risk_summary", "churn_risk* customers risk_inactive_unresponsive risk_complaints "
                                      "risk_falling_trend"),
    _file("02", "cluster_by_segment", "cluster*", more="the nine-box segments' display names"),
    _file("02", "cluster_profiles", "cluster* customers share median_recency_days median_frequency median_monetary "
                                    "median_trend median_annual_amount"),
    _file("02", "customer_segments", "customer_id* recency_days frequency monetary annual_amount trend "
                                     "tenure_months complaints_6m response_rate interaction_gap_days enquiries_3m "
                                     "value_tier potential_tier segment r_score f_score m_score t_score rfm_score "
                                     "rfm_segment lifecycle_stage risk_inactive_unresponsive risk_complaints "
                                     "risk_falling_trend risk_flags churn_risk cluster"),
    _file("02", "feature_summary", "feature* median p10 p90 missing_share"),
    _file("02", "lifecycle_stages", "stage* customers share net_annual_amount net_annual_amount_previous cadence"),
    _file("02", "rfm_segments", "rfm_segment* customers annual_amount share revenue_share"),
    _file("02", "segment_migration", "from_segment* to_segment* customers annual_amount"),
    _file("02", "segment_summary", "segment* value_tier potential_tier customers customer_share annual_amount "
                                   "revenue_share mean_annual_amount"),
    _file("02", "strategy_checks", "segment* problem*"),
    _file("02", "strategy_table", "segment* content mode owner resources due_days cadence automated"),
    _file("02", "value_tier_shares", "value_tier* customers share nominal_share"),
    # notebook 03
    _file("03", "ab_bayes", "metric* campaign_id* arm* prob_beat_control expected_loss_arm expected_loss_control"),
    _file("03", "ab_business", "campaign_id* arm* n_arm incremental_conversions incremental_conversions_low "
                               "incremental_conversions_high incremental_revenue incremental_revenue_low "
                               "incremental_revenue_high cost_per_contact cost cost_per_incremental_conversion "
                               "cost_per_incremental_conversion_low cost_per_incremental_conversion_high "
                               "net_revenue message"),
    _file("03", "ab_business_view", "campaign_id* arm* n_arm incremental_conversions incremental_conversions_low "
                                    "incremental_conversions_high incremental_revenue incremental_revenue_low "
                                    "incremental_revenue_high"),
    _file("03", "ab_campaigns", "campaign_id* channel since customers planned_customers status look concluded_on "
                                "inference reason"),
    _file("03", "ab_cuped", "campaign_id* arm* control_arm n_arm n_control theta value_arm value_control abs_diff "
                            "ci_low ci_high p_value p_adjusted unadjusted_abs_diff unadjusted_ci_low "
                            "unadjusted_ci_high unadjusted_p_value variance_reduction message"),
    _file("03", "ab_cuped_view", "campaign_id* arm* unadjusted_abs_diff unadjusted_ci_low unadjusted_ci_high "
                                 "cuped_abs_diff cuped_ci_low cuped_ci_high p_adjusted variance_reduction"),
    _file("03", "ab_decisions", "metric campaign_id* arm* look inference decision abs_diff ci_low ci_high "
                                "detectable_lift"),
    _file("03", "ab_heterogeneity", "campaign_id* metric* arm* segments q df p_value i2 message"),
    _file("03", "ab_heterogeneity_tested", "campaign_id* metric* arm* segments q df p_value i2"),
    _file("03", "ab_mde", "metric* campaign_id* arm* n_arm n_control rel_lift mde_rel"),
    _file("03", "ab_planning", "metric* campaign_id* baseline target_lift* target_value n_per_arm n_per_arm_now "
                               "enough n_per_arm_max possible mde_rel_max"),
    _file("03", "ab_power", "campaign_id* metric* arm* n_arm n_control value_control abs_diff rel_lift mde_abs "
                            "mde_rel message"),
    _file("03", "ab_results_rates_{campaign}", "metric* arm* value_control value_arm abs_diff ci_low ci_high "
                                               "seq_ci_low seq_ci_high verdict"),
    _file("03", "ab_results_revenue_{campaign}", "metric* arm* value_control value_arm abs_diff ci_low ci_high "
                                                 "seq_ci_low seq_ci_high verdict"),
    _file("03", "ab_segments_conversion", "campaign_id* segment* arm* n_arm n_control abs_diff ci_low ci_high "
                                          "p_adjusted verdict"),
    _file("03", "ab_srm", "campaign_id* arm* n expected_share observed_share srm_p_value"),
    _file("03", "ab_tests", "campaign_id* segment* metric* arm* control_arm n_arm n_control value_arm value_control "
                            "abs_diff ci_low ci_high rel_lift rel_ci_low rel_ci_high p_value p_adjusted significant "
                            "seq_ci_low seq_ci_high seq_p_value seq_p_adjusted seq_adjusted_low seq_adjusted_high "
                            "prob_beat_control method message"),
    _file("03", "chart_ab_board", "campaign_id* segment* arm* n conversions conversion_rate ci_low ci_high"),
    _file("03", "chart_ab_forest", "campaign_id* arm* metric* rel_lift rel_ci_low rel_ci_high p_value p_adjusted "
                                   "significant verdict mark"),
    _file("03", "chart_ab_path", "campaign_id* arm* metric week* week_end customers abs_diff ci_low ci_high "
                                 "seq_ci_low seq_ci_high look boundary_low boundary_high"),
    # notebook 04
    _file("04", "kpi_changes", "kpi* segment* before after abs_change rel_change ci_low ci_high test p_value "
                               "p_adjusted min_meaningful_change verdict n_before n_after population"),
    _file("04", "kpi_did", "kpi* treated_before treated_after comparison_before comparison_after estimate ci_low "
                           "ci_high p_value p_adjusted min_meaningful_change verdict n_treated n_comparison message "
                           "population pretrend_estimate pretrend_p_value"),
    _file("04", "kpi_did_table", "kpi* treated_before treated_after comparison_before comparison_after change? "
                                 "p_adjusted? verdict?"),
    _file("04", "kpi_forest", "kpi* segment* verdict estimate low high"),
    _file("04", "kpi_monthly", "kpi* month* value n fitted post"),
    _file("04", "kpi_segmented_regression", "kpi* pre_slope level_change level_ci_low level_ci_high level_p_value "
                                            "slope_change slope_ci_low slope_ci_high slope_p_value months_before "
                                            "months_after message"),
    _file("04", "kpi_segmented_regression_table", "kpi* pre_slope level_change level_p_value slope_change "
                                                  "slope_p_value"),
    _file("04", "kpi_segments", "kpi* segment* before after change p_adjusted verdict population"),
    _file("04", "kpi_segments_changes", "kpi*", more="the groups compared: nine-box segments, new customers"),
    _file("04", "kpi_template5", "kpi* before after change p_adjusted verdict"),
    _file("04", "kpi_tests", "kpi* test ci_low ci_high p_value p_adjusted n_before n_after"),
    # notebook 05
    _file("05", "chart_execution_churn", "execution* customers active_before churned churn_rate csat_answers "
                                         "csat_mean ci_low ci_high"),
    _file("05", "chart_followup_7_24_72", "rule* eligible met rate ci_low ci_high pending"),
    _file("05", "chart_owner_leaderboard", "rank* owner tasks done completion_rate completion_low completion_high "
                                           "on_time_rate on_time_low on_time_high csat_after csat_tasks board"),
    _file("05", "chart_plan_vs_actual", "segment* planned with_task done done_on_time"),
    _file("05", "chart_sla_compliance", "rule* priority* tickets met breached pending compliance_rate median_hours "
                                        "p90_hours median_low median_high p90_low p90_high"),
    _file("05", "commlog_topics", "channel* topic* contacts share"),
    _file("05", "commlog_urgency", "channel* urgency* contacts share"),
    _file("05", "execution_classes", "execution* customers active_before churned churn_rate csat_answers csat_mean"),
    _file("05", "execution_effects", "outcome* exposed* reference* n_exposed n_reference rate_exposed rate_reference "
                                     "difference ci_low ci_high odds_ratio or_low or_high p_value strata"),
    _file("05", "execution_tracking", "task_id* customer_id customer strategy owner planned_date actual_date status "
                                      "overdue_days feedback problem next_action", workbook=True),
    _file("05", "follow_up_summary", "owner* agreed kept past_due open kept_rate"),
    _file("05", "follow_ups_past_due", "customer_id* customer interaction_time* channel topic urgency owner "
                                       "due_date days_past_due follow_up"),
    _file("05", "followup_7_24_72", "rule* eligible met rate ci_low ci_high pending"),
    _file("05", "improvement_summary", "status* improvements customers_affected verification_mean verified"),
    _file("05", "improvement_tracking", "improvement_id* problem measure department owner customers_affected "
                                        "planned_date actual_date status verification_score"),
    _file("05", "lifecycle_cadence", "stage* customers cadence_days expected mean_received median_received share_met"),
    _file("05", "overdue_ages", "age_bucket* tasks share"),
    _file("05", "owner_leaderboard", "rank owner* tasks done completion_rate completion_low completion_high "
                                     "on_time_rate on_time_low on_time_high csat_after csat_tasks board"),
    _file("05", "plan_vs_actual", "segment* strategy planned with_task done done_on_time"),
    _file("05", "sla_by_category", "rule* category* tickets met breached pending compliance_rate median_hours "
                                   "p90_hours median_low median_high p90_low p90_high"),
    _file("05", "sla_by_department", "rule* department* tickets met breached pending compliance_rate median_hours "
                                     "p90_hours"),
    _file("05", "sla_by_month", "rule* month* tickets met breached pending compliance_rate median_hours p90_hours"),
    _file("05", "sla_compliance", "rule* priority* tickets met breached pending compliance_rate median_hours "
                                  "p90_hours median_low median_high p90_low p90_high"),
    _file("05", "sla_worst_categories", "category* tickets first_response_rate resolution_rate "
                                        "median_first_response_hours",
          only_when="a ticket category has at least params `execution.min_worst` tickets"),
    _file("05", "task_board", "owner* status* tasks"),
    _file("05", "task_execution", "owner* tasks done in_progress not_started delayed overdue completion_rate "
                                  "on_time_rate"),
    # notebook 06
    _file("06", "chart_clv_holdout", "frequency* customers expected actual expected_total actual_total"),
    _file("06", "chart_emotional_account_churn", "band* customers churned churn_rate ci_low ci_high"),
    _file("06", "chart_health_backtest", "row* score decile* score_low score_high customers churned churn_rate lift "
                                         "auc ci_low ci_high p_value"),
    _file("06", "chart_health_bands", "health_band* customers share rank_score clv trend_up trend_down"),
    _file("06", "chart_key_account_radar", "customer_id* dimension* score rank"),
    _file("06", "chart_relationship_thermometer", "week* days interactions positive_share negative_share ratings "
                                                  "satisfaction"),
    _file("06", "chart_rqi_by_segment", "segment* customers with_rqi rqi ci_low ci_high trust satisfaction loyalty"),
    _file("06", "clv_model", "model* parameter* value time_unit"),
    _file("06", "customer_health", "customer_id* segment rqi rqi_components emotional_account health_score "
          "health_score_previous ranked_by rank_score health_band health_trend p_alive expected_purchases "
          "expected_spend clv expected_loss"),
    _file("06", "emotional_account_claim", "threshold* customers churned churn_rate ci_low ci_high claim_holds"),
    _file("06", "health_backtest", "row* score* decile* score_low score_high customers churned churn_rate lift auc "
                                   "ci_low ci_high p_value"),
    _file("06", "health_bands", "health_band* customers share rank_score clv trend_up trend_down"),
    _file("06", "health_baselines", "score* customers churned auc ci_low ci_high",
          only_when="the backtest has customers and a baseline"),
    _file("06", "health_calibration", "decile* customers predicted observed ci_low ci_high"),
    _file("06", "health_churn_risk", "churn_risk* health_band* customers share_of_risk"),
    _file("06", "health_churn_risk_table", "churn_risk* red yellow green none customers"),
    _file("06", "health_deciles", "decile* score_low score_high customers churned churn_rate lift ci_low ci_high"),
    _file("06", "health_fit", "part* customers churned churn_rate ci_low ci_high predicted auc auc_low auc_high",
          only_when="the weights are fitted (params `health.weights: fitted`, enough churned and retained customers)"),
    _file("06", "health_watch_list", "customer_id* owner segment rqi rqi_components emotional_account health_score? "
          "rank_score? health_band health_trend p_alive expected_purchases clv expected_loss"),
    _file("06", "health_weights", "measure* coefficient weight params_weight"),
    _file("06", "rqi_by_segment", "segment* customers with_rqi rqi ci_low ci_high trust satisfaction loyalty"),
    _file("06", "rqi_components", "components* customers share"),
    # notebook 07
    _file("07", "measures", "measure* label_en label_zh definition_en definition_zh unit window direction notebook "
                            "shown_in"),
    _file("07", "summary_actions", "summary_action* summary_owner summary_customers summary_at_stake summary_target "
                                   "summary_due summary_capacity summary_source"),
    _file("07", "summary_figures", "ref* section figure kind measure evidence claim value file row column filter "
                                   "aggregate period"),
    _file("07", "summary_headline", "summary_figure* summary_value summary_previous summary_change summary_verdict "
                                    "summary_source"),
    _file("07", "summary_since_health", "", more="the band of last period, then one column per band now",
          only_when=PREVIOUS),
    _file("07", "summary_since_kpis", "summary_figure* summary_last_period summary_this_period summary_change "
                                      "summary_source", only_when=PREVIOUS),
    _file("07", "summary_since_nine_box", "summary_segment* summary_last_period summary_this_period summary_change "
                                          "summary_source", only_when=PREVIOUS),
    _file("07", "summary_sources", "summary_ref* summary_figure summary_number summary_source"),
)
_BY_NAME = {spec.name: spec for spec in RESULT_FILES}


def declared(stem: str) -> ResultFile | None:
    """The declaration of ``results/<stem>.csv`` (or ``.xlsx``), None for a file the contract does not know."""
    return _BY_NAME.get(stem) or next((spec for spec in RESULT_FILES if spec.matches(stem)), None)


def result_file(name: str) -> ResultFile:
    """The declaration of a file the summary reads (a KeyError names a file missing from the contract)."""
    return _BY_NAME[name]


# the files that pass from notebooks 01-06 to the summary (notebook 07)
ROW_ACCOUNTING = result_file("row_accounting")
CUSTOMER_BASE_SUMMARY = result_file("customer_base_summary")
VALUE_SUMMARY = result_file("value_summary")
SEGMENT_SUMMARY = result_file("segment_summary")
ACTION_LIST = result_file("action_list")
AB_CAMPAIGNS = result_file("ab_campaigns")
AB_DECISIONS = result_file("ab_decisions")
AB_TESTS = result_file("ab_tests")
AB_BUSINESS = result_file("ab_business")
KPI_CHANGES = result_file("kpi_changes")
PLAN_VS_ACTUAL = result_file("plan_vs_actual")
TASK_EXECUTION = result_file("task_execution")
SLA_COMPLIANCE = result_file("sla_compliance")
CUSTOMER_HEALTH = result_file("customer_health")
AB_POWER = result_file("ab_power")
CLV_HOLDOUT = result_file("chart_clv_holdout")
KPI_SEGMENTED = result_file("kpi_segmented_regression")
KPI_DID = result_file("kpi_did")
OVERDUE_AGES = result_file("overdue_ages")
LIFECYCLE_CADENCE = result_file("lifecycle_cadence")
STRATEGY_TABLE = result_file("strategy_table")
