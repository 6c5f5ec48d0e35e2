-- Front door, child protection, early help, EHC plan and short break measures, and the
-- breakdowns of the core social care measures. Add a measure model of this domain here.
{{ union_measures([
    'msr_p3_front_door',
    'msr_p3_referrals_breakdowns',
    'msr_p3_assessment_timeliness',
    'msr_p3_cin_breakdowns',
    'msr_p3_cp_plans_breakdowns',
    'msr_p3_cp_repeat',
    'msr_p3_cp_duration',
    'msr_p3_cp_visits',
    'msr_p3_exploitation_risk',
    'msr_p3_rereferrals_early_help',
    'msr_p1_early_help',
    'msr_p4_ehcp_timeliness',
    'msr_p6_assessment_mental_health',
    'msr_p6_short_breaks',
]) }}
