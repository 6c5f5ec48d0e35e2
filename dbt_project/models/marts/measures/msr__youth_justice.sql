-- All youth justice measures (YJ case system, with Mosaic links and Census 2021 denominators).
-- outcome_measures unions the domains; add a new youth justice measure model here.
{{ union_measures([
    'msr_p3_yj_first_time_entrants',
    'msr_p3_cla_cjs',
    'msr_p3_yj_reoffending',
    'msr_p3_yj_custody',
    'msr_p3_yj_kpi_oocd',
    'msr_p3_yj_kpi_wider_services',
    'msr_p3_yj_kpi_serious_violence',
    'msr_p3_yj_kpi_victims',
    'msr_p3_offences_u18',
    'msr_p3_yj_disproportionality',
    'msr_p4_yj_kpi_accommodation',
    'msr_p4_yj_kpi_ete',
    'msr_p4_yj_kpi_send',
    'msr_p6_yj_kpi_mental_health',
    'msr_p6_yj_kpi_substance_misuse',
]) }}
