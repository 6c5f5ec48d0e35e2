-- All social care (Mosaic) measures. Each domain owns one union like this; outcome_measures
-- unions the domains. Add a new measure model to its domain's list.
{{ union_measures([
    'msr_p3_referrals',
    'msr_p3_rereferrals',
    'msr_p3_s47_enquiries',
    'msr_p3_icpc_timeliness',
    'msr_p3_children_in_need',
    'msr_p3_cp_plans',
    'msr_p3_looked_after',
    'msr_p3_cla_stability_long',
]) }}
