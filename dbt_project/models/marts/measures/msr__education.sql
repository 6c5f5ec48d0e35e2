-- All education measures (school census, attendance, exclusions, results, early years, home
-- education). Each domain owns one union like this; outcome_measures unions the domains. Add
-- a new measure model to this list.
{{ union_measures([
    'msr_p1_gld',
    'msr_p1_ey_funded_takeup',
    'msr_p2_ofsted_good_outstanding',
    'msr_p2_attendance',
    'msr_p2_ks2_rwm',
    'msr_p2_ks4',
    'msr_p2_disadvantage_gap',
    'msr_p2_lac_school_quality',
    'msr_p2_lac_progress',
    'msr_p2_pupil_characteristics',
    'msr_p2_primary_surplus_places',
    'msr_p2_elective_home_education',
    'msr_p4_exclusions',
]) }}
