-- Priority 2 of the 2023 plan: every figure of its measures (see macros/priorities.sql).
{{ priority_mart('P2') }}
