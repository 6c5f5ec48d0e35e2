-- An amber threshold lies on the losing side of its target (below it when higher is better,
-- above it when lower is better); otherwise nothing could ever be amber. Returns bad rows.
select *
from {{ ref('targets') }}
where (polarity = 'higher_is_better' and amber_threshold > target_value)
   or (polarity = 'lower_is_better' and amber_threshold < target_value)
