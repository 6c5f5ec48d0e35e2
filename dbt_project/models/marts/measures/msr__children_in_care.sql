-- All measures of children in care and care leavers (Mosaic looked-after, health, missing and
-- care leaver records, with Ofsted provider judgements). outcome_measures unions the domains.
{{ union_measures([
    'msr_p3_cla_rate_breakdowns',
    'msr_p3_cla_starts',
    'msr_p3_cla_returned_home',
    'msr_p3_cla_stability_short',
    'msr_p3_cla_placement_quality',
    'msr_p3_cla_missing',
    'msr_p3_cla_missing_rhi',
    'msr_p3_cla_oc2_convictions',
    'msr_p4_care_leavers',
    'msr_p4_cl_suitable_accom',
    'msr_p4_lac_cl_eet',
    'msr_p6_lac_health_checks',
    'msr_p6_lac_sdq',
]) }}
